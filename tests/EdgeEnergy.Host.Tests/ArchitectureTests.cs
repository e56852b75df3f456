using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace EdgeEnergy.Host.Tests;

/// <summary>References point inward only (STYLE.md): Host → {Backtest → Control, Optimiser, Adapters.*} → Domain.</summary>
public class ArchitectureTests
{
    private static readonly Assembly s_host = typeof(Cli.EdgeEnergyCli).Assembly;

    private static IReadOnlyCollection<Assembly> OurAssemblies()
    {
        var seen = new Dictionary<string, Assembly>(StringComparer.Ordinal);
        // Everything of ours in the build output, plus whatever those reference.
        var shipped = Directory.GetFiles(AppContext.BaseDirectory, "EdgeEnergy.*.dll")
            .Where(f => !Path.GetFileName(f).Contains(".Tests", StringComparison.Ordinal) && !Path.GetFileName(f).StartsWith("EdgeEnergy.Testing", StringComparison.Ordinal))
            .Select(f => Assembly.Load(AssemblyName.GetAssemblyName(f)));
        var queue = new Queue<Assembly>([s_host, .. shipped]);
        while (queue.Count > 0)
        {
            var a = queue.Dequeue();
            if (!seen.TryAdd(a.GetName().Name!, a))
            {
                continue;
            }

            foreach (var r in a.GetReferencedAssemblies().Where(IsOurs))
            {
                queue.Enqueue(Assembly.Load(r));
            }
        }

        return seen.Values.ToArray();
    }

    private static bool IsOurs(AssemblyName n) => n.Name!.StartsWith("EdgeEnergy.", StringComparison.Ordinal) || n.Name == "edgeenergy";

    private static string[] OursReferencedBy(Assembly a) => a.GetReferencedAssemblies().Where(IsOurs).Select(n => n.Name!).ToArray();

    [Fact]
    public void Every_log_event_id_has_one_meaning()
    {
        // Operators filter and alert on event ids (docs name them, e.g. 5025 for a rejected solar forecast); an id used
        // by two messages makes such a filter catch the wrong one. Three ids of Control had two meanings each once.
        var events = OurAssemblies()
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(m => (Method: $"{m.DeclaringType!.FullName}.{m.Name}", Attribute: m.GetCustomAttribute<Microsoft.Extensions.Logging.LoggerMessageAttribute>()))
            .Where(e => e.Attribute is not null)
            .ToArray();
        Assert.True(events.Length > 50, $"only {events.Length} log messages found: the scan is not reading the attributes");
        var shared = events.GroupBy(e => e.Attribute!.EventId).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(e => e.Method))}").ToArray();
        Assert.True(shared.Length == 0, "event ids with more than one message: " + string.Join("; ", shared));
    }

    [Fact]
    public void The_host_reaches_the_core_projects()
    {
        var names = OurAssemblies().Select(a => a.GetName().Name).ToHashSet();
        Assert.Contains("EdgeEnergy.Domain", names);
        Assert.Contains("EdgeEnergy.Optimiser", names);
        Assert.Contains("EdgeEnergy.Control", names);
        Assert.Contains("EdgeEnergy.Backtest", names);
        Assert.Contains("EdgeEnergy.Forecasting.Ml", names);
    }

    [Fact]
    public void Domain_references_nothing_of_ours_and_no_package()
    {
        var domain = OurAssemblies().Single(a => a.GetName().Name == "EdgeEnergy.Domain");
        Assert.Empty(OursReferencedBy(domain));
        var outside = domain.GetReferencedAssemblies()
            .Select(n => n.Name!)
            .Where(n => !n.StartsWith("System", StringComparison.Ordinal) && n != "netstandard" && n != "mscorlib")
            .ToArray();
        Assert.Empty(outside);
    }

    [Fact]
    public void Only_the_optimiser_references_OrTools()
    {
        var users = OurAssemblies()
            .Where(a => a.GetReferencedAssemblies().Any(r => r.Name!.StartsWith("Google.OrTools", StringComparison.Ordinal)))
            .Select(a => a.GetName().Name!)
            .ToArray();
        Assert.Equal(["EdgeEnergy.Optimiser"], users);
    }

    [Fact]
    public void Only_the_load_model_trainer_references_ML_NET()
    {
        var users = OurAssemblies()
            .Where(a => a.GetReferencedAssemblies().Any(r => r.Name!.StartsWith("Microsoft.ML", StringComparison.Ordinal)))
            .Select(a => a.GetName().Name!)
            .ToArray();
        Assert.Equal(["EdgeEnergy.Forecasting.Ml"], users);
    }

    [Fact]
    public void Only_the_gpio_adapter_and_its_wiring_reference_System_Device_Gpio()
    {
        // The host names GpioDriver only where it wires the chip opener.
        var users = OurAssemblies()
            .Where(a => a.GetReferencedAssemblies().Any(r => r.Name == "System.Device.Gpio"))
            .Select(a => a.GetName().Name!)
            .ToArray();
        Assert.Equal(["EdgeEnergy.Adapters.Gpio", "edgeenergy"], users.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Control_and_adapters_point_only_inward()
    {
        foreach (var a in OurAssemblies())
        {
            var name = a.GetName().Name!;
            var refs = OursReferencedBy(a);
            if (name == "EdgeEnergy.Control" || name == "EdgeEnergy.Optimiser" || name.StartsWith("EdgeEnergy.Adapters.", StringComparison.Ordinal))
            {
                Assert.True(refs.All(r => r == "EdgeEnergy.Domain"), $"{name} references {string.Join(", ", refs)}; only EdgeEnergy.Domain is allowed");
            }

            if (name == "EdgeEnergy.Forecasting.Ml")
            {
                // The load model's trainer implements Control's port; it sees the forecasting core and nothing that does I/O.
                Assert.True(refs.All(r => r is "EdgeEnergy.Domain" or "EdgeEnergy.Control"), $"{name} references {string.Join(", ", refs)}; only Control and Domain are allowed");
            }

            if (name == "EdgeEnergy.Backtest")
            {
                // The backtest replays the service's own control code: Control and Domain, nothing that does I/O.
                Assert.True(refs.All(r => r is "EdgeEnergy.Domain" or "EdgeEnergy.Control"), $"{name} references {string.Join(", ", refs)}; only Control and Domain are allowed");
            }
        }
    }

    [Theory]
    [InlineData("EdgeEnergy.Backtest")]
    [InlineData("EdgeEnergy.Simulation")] // the production Modbus adapter does not carry the simulator
    [InlineData("EdgeEnergy.Forecasting.Ml")] // the backtest gets the trainer from the host, through Control's port
    public void Only_the_host_uses_the_backtest_and_the_simulator(string project)
    {
        var users = OurAssemblies().Where(a => OursReferencedBy(a).Contains(project)).Select(a => a.GetName().Name!).ToList();
        Assert.Equal(["edgeenergy"], users);
    }

    [Fact]
    public void The_simulator_stands_on_the_Modbus_adapter_and_the_domain_only()
    {
        var simulation = OurAssemblies().Single(a => a.GetName().Name == "EdgeEnergy.Simulation");
        Assert.Equal(["EdgeEnergy.Adapters.Modbus", "EdgeEnergy.Domain"], OursReferencedBy(simulation).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Nothing_references_the_host()
    {
        foreach (var a in OurAssemblies().Where(a => a != s_host))
        {
            Assert.DoesNotContain("edgeenergy", OursReferencedBy(a));
        }
    }

    /// <summary>
    /// One immersion model (issue 17 §1): where a heater's daily windows fall on a horizon is worked out only by
    /// Domain's <c>HeatWindows</c>. The backtest and the live planner call it and never read a window's clock times
    /// themselves, and the backtest keeps no window type of its own.
    /// </summary>
    [Theory]
    [InlineData("EdgeEnergy.Backtest")]
    [InlineData("EdgeEnergy.Control")]
    public void Heater_windows_are_laid_out_only_by_the_domain(string project)
    {
        var assembly = OurAssemblies().Single(a => a.GetName().Name == project);
        var references = MemberReferences(assembly);

        Assert.Contains(references, r => r.Type == "HeatWindows" && r.Member is "Lay" or "Place" or "OpenIn");
        Assert.DoesNotContain(references, r => r.Type == "DailyImmersionWindow" && r.Member is "get_FromLocal" or "get_ToLocal");
        Assert.DoesNotContain(assembly.GetTypes(), t => t.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).Any(p => p.PropertyType == typeof(TimeOnly)));
    }

    // The members of other assemblies that an assembly's code uses, as (declaring type, member name).
    private static List<(string Type, string Member)> MemberReferences(Assembly assembly)
    {
        using var pe = new PEReader(File.OpenRead(assembly.Location));
        var metadata = pe.GetMetadataReader();
        var found = new List<(string, string)>();
        foreach (var handle in metadata.MemberReferences)
        {
            var member = metadata.GetMemberReference(handle);
            if (member.Parent.Kind == HandleKind.TypeReference)
            {
                found.Add((metadata.GetString(metadata.GetTypeReference((TypeReferenceHandle)member.Parent).Name), metadata.GetString(member.Name)));
            }
        }

        return found;
    }
}
