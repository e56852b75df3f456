using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EdgeEnergy.Domain;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Optimiser;

namespace EdgeEnergy.Host.Cli;

/// <summary>
/// <c>edgeenergy bench plan</c>: times the optimiser over a folder of problems at 48, 96 and 192 slots, with and
/// without an immersion heater, with and without a car (the problems that bring one, e.g. the ev-*.json fixtures), and
/// optionally the PuLP + CBC reference implementation on the same files.
/// </summary>
internal static class BenchCommand
{
    private static readonly CultureInfo s_inv = CultureInfo.InvariantCulture;

    public static Command Create()
    {
        var problems = new Option<string>("--problems") { Description = "Folder of plan problems (*.json).", DefaultValueFactory = _ => "tests/EdgeEnergy.Testing/Fixtures/plan-problems" };
        var repeat = new Option<int>("--repeat") { Description = "Timed solves per problem and variant.", DefaultValueFactory = _ => 20 };
        var reference = new Option<string?>("--reference") { Description = "Path of reference_lp.py to time the PuLP + CBC stack on the same problems (run with /usr/bin/python3)." };
        var plan = new Command("plan", "Times the optimiser (median, p90, allocations) by horizon, with and without immersion, with and without a car.");
        plan.Options.Add(problems);
        plan.Options.Add(repeat);
        plan.Options.Add(reference);
        plan.SetAction((parse, ct) => RunAsync(parse.GetValue(problems)!, parse.GetValue(repeat), parse.GetValue(reference), ct));
        var bench = new Command("bench", "Benchmarks; figures go to stdout as a Markdown table.");
        bench.Subcommands.Add(plan);
        return bench;
    }

    private static async Task<int> RunAsync(string folder, int repeat, string? referencePath, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(folder) || repeat < 1)
        {
            await Console.Error.WriteLineAsync($"edgeenergy bench plan: {(repeat < 1 ? "--repeat must be >= 1" : $"{folder}: no such folder")}");
            return ExitCodes.BadInput;
        }

        var optimiser = new OrToolsScheduleOptimiser();
        var rows = new SortedDictionary<(int Slots, bool Immersion, bool Car), Row>();
        var tmp = Directory.CreateTempSubdirectory("edgeenergy-bench-");
        try
        {
            foreach (var file in Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal))
            {
                var parsed = PlanProblemParser.Parse(await File.ReadAllTextAsync(file, cancellationToken), Path.GetFileName(file));
                if (parsed.Problem is not { } problem || problem.Slots.Count is not (48 or 96 or 192))
                {
                    continue;
                }

                foreach (var withImmersion in new[] { false, true })
                {
                    var variant = Variant(problem, withImmersion);
                    optimiser.Solve(variant, cancellationToken); // warm-up: JIT and native library load
                    var key = (variant.Slots.Count, withImmersion, variant.Ev is not null);
                    var row = rows.TryGetValue(key, out var r) ? r : rows[key] = new Row();
                    var own = new List<double>(repeat);
                    for (var i = 0; i < repeat; i++)
                    {
                        var allocated = GC.GetAllocatedBytesForCurrentThread();
                        var started = Stopwatch.GetTimestamp();
                        optimiser.Solve(variant, cancellationToken);
                        own.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                        row.AllocatedBytes.Add(GC.GetAllocatedBytesForCurrentThread() - allocated);
                    }

                    row.Milliseconds.AddRange(own);
                    row.MedianByProblem[Path.GetFileNameWithoutExtension(file)] = Percentile(own, 0.5);

                    row.Problems++;
                    if (referencePath is not null)
                    {
                        var path = Path.Combine(tmp.FullName, $"{Path.GetFileNameWithoutExtension(file)}-{withImmersion}.json");
                        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(variant, PlanJson.Output.For<PlanProblem>()), cancellationToken);
                        row.ReferenceMilliseconds.Add(await ReferenceSolveMillisecondsAsync(referencePath, path, cancellationToken));
                    }
                }
            }
        }
        finally
        {
            tmp.Delete(recursive: true);
        }

        Console.WriteLine($"Optimiser benchmark: {repeat} timed solves per problem after one warm-up, {Environment.ProcessorCount} cores, {RuntimeInformationText()}");
        Console.WriteLine();
        Console.WriteLine("| slots | immersion | car | problems | median ms | p90 ms | p99 ms | slowest problem (its median ms) | managed KB/solve | reference median ms | speed-up |");
        Console.WriteLine("|---:|:---:|:---:|---:|---:|---:|---:|:---|---:|---:|---:|");
        foreach (var ((slots, immersion, car), row) in rows)
        {
            var median = Percentile(row.Milliseconds, 0.5);
            var reference = row.ReferenceMilliseconds.Count > 0 ? Percentile(row.ReferenceMilliseconds, 0.5) : double.NaN;
            var slowest = row.MedianByProblem.MaxBy(p => p.Value);
            Console.WriteLine(string.Format(s_inv, "| {0} | {1} | {2} | {3} | {4:0.00} | {5:0.00} | {6:0.00} | {7} ({8:0.0}) | {9:0} | {10} | {11} |",
                slots, immersion ? "yes" : "no", car ? "yes" : "no", row.Problems, median, Percentile(row.Milliseconds, 0.9),
                Percentile(row.Milliseconds, 0.99), slowest.Key, slowest.Value,
                Percentile(row.AllocatedBytes.Select(b => (double)b).ToList(), 0.5) / 1024,
                double.IsNaN(reference) ? "-" : reference.ToString("0.0", s_inv),
                double.IsNaN(reference) ? "-" : (reference / median).ToString("0.0", s_inv) + "×"));
        }

        return ExitCodes.Success;
    }

    /// <summary>
    /// The fixture as it is (its car, if any, kept), or with one 3 kW tank that must get 4–9 kWh in every day of the
    /// horizon.
    /// </summary>
    private static PlanProblem Variant(PlanProblem problem, bool withImmersion)
    {
        if (!withImmersion)
        {
            return problem with { Immersions = [] };
        }

        if (problem.Immersions.Count > 0)
        {
            return problem;
        }

        var perDay = (int)(24 * 60 / problem.SlotMinutes);
        var windows = new List<ImmersionWindow>();
        for (var from = 0; from < problem.Slots.Count; from += perDay)
        {
            windows.Add(new ImmersionWindow { FromSlot = from, ToSlot = Math.Min(from + perDay, problem.Slots.Count), MinKwh = 4, MaxKwh = 9 });
        }

        return problem with { Immersions = [new ImmersionSpec { Id = "tank", PowerKw = 3, ValuePencePerKwh = 6.5, Windows = windows }] };
    }

    private static async Task<double> ReferenceSolveMillisecondsAsync(string script, string problemPath, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add("solve");
        psi.ArgumentList.Add(problemPath);
        using var process = Process.Start(psi)!;
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        using var doc = JsonDocument.Parse(output);
        // reference_lp.py times its own stack end to end in-process (build in PuLP, CBC, read back), not Python's start-up.
        return doc.RootElement.GetProperty("solveSeconds").GetDouble() * 1000;
    }

    private static double Percentile(List<double> values, double q)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[(int)Math.Clamp(Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    private static string RuntimeInformationText() => System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription + " " + System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture;

    private sealed class Row
    {
        public int Problems { get; set; }
        public List<double> Milliseconds { get; } = [];
        public List<long> AllocatedBytes { get; } = [];
        public List<double> ReferenceMilliseconds { get; } = [];
        public Dictionary<string, double> MedianByProblem { get; } = new(StringComparer.Ordinal);
    }
}
