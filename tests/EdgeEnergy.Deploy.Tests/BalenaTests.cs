using EdgeEnergy.Deploy.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace EdgeEnergy.Deploy.Tests;

/// <summary>deploy/balena: the compose file (checked by docker-compose itself), the image and the balena.yml.</summary>
public sealed class BalenaTests : IDisposable
{
    private const string Compose = "deploy/balena/docker-compose.yml";
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Docker_compose_accepts_the_compose_file()
    {
        var result = await ProcessRunner.RunAsync("docker-compose", "-f", Repository.PathOf(Compose), "config", "-q");

        Assert.True(result.ExitCode == 0 && result.Stderr.Length == 0, result.ToString());
    }

    [Fact]
    public void Edgeenergy_keeps_its_SQLite_file_on_a_persistent_volume()
    {
        var root = Yaml.Load(Repository.PathOf(Compose));
        var service = root.Map("services").Map("edgeenergy");

        var databasePath = service.Map("environment").Scalar("EDGEENERGY__STORAGE__PATH");
        var mount = service.Seq("volumes").Scalars().Select(v => v.Split(':')).Single(v => databasePath.StartsWith(v[1] + "/", StringComparison.Ordinal));
        Assert.True(root.Map("volumes").Has(mount[0]), $"'{mount[0]}' is not a named volume");
    }

    [Fact]
    public void Edgeenergy_gets_the_serial_device_without_root_and_both_services_have_health_checks()
    {
        var services = Yaml.Load(Repository.PathOf(Compose)).Map("services");
        var edgeenergy = services.Map("edgeenergy");

        Assert.Contains("/dev/ttyUSB0:/dev/ttyUSB0", edgeenergy.Seq("devices").Scalars());
        Assert.Contains("dialout", edgeenergy.Seq("group_add").Scalars());
        Assert.False(edgeenergy.Has("privileged"));
        Assert.False(edgeenergy.Has("user"), "the image's non-root user must not be overridden");
        Assert.Equal("mosquitto", edgeenergy.Map("environment").Scalar("EDGEENERGY__MQTT__HOST"));
        foreach (var name in new[] { "edgeenergy", "mosquitto" })
        {
            var test = services.Map(name).Map("healthcheck").Seq("test").Scalars();
            Assert.Equal("CMD", test[0]);
        }
    }

    [Fact]
    public async Task Gpio_relays_need_only_the_two_commented_lines_and_the_result_is_a_valid_compose_file()
    {
        var text = Repository.Read(Compose);
        const string user = "    # user: root\n";
        const string chip = "      # - \"/dev/gpiochip0:/dev/gpiochip0\"\n";
        Assert.Contains(user, text, StringComparison.Ordinal);
        Assert.Contains(chip, text, StringComparison.Ordinal);
        var enabled = _temp.Combine("docker-compose.yml");
        File.WriteAllText(enabled, text.Replace(user, "    user: root\n", StringComparison.Ordinal).Replace(chip, "      - \"/dev/gpiochip0:/dev/gpiochip0\"\n", StringComparison.Ordinal));

        var edgeenergy = Yaml.Load(enabled).Map("services").Map("edgeenergy");
        Assert.Equal("root", edgeenergy.Scalar("user"));
        Assert.Equal(["/dev/ttyUSB0:/dev/ttyUSB0", "/dev/gpiochip0:/dev/gpiochip0"], edgeenergy.Seq("devices").Scalars());
        // Build contexts are relative: resolve them from the original folder.
        var result = await ProcessRunner.RunAsync("docker-compose", "-f", enabled, "--project-directory", Path.GetDirectoryName(Repository.PathOf(Compose))!, "config", "-q");
        Assert.True(result.ExitCode == 0 && result.Stderr.Length == 0, result.ToString());
    }

    [Fact]
    public void The_runtime_image_installs_libgpiod_before_dropping_root()
    {
        var instructions = Dockerfile.Parse(Repository.Read("deploy/balena/Dockerfile.template")).ToList();
        var runtime = instructions.FindIndex(i => i.Keyword == "FROM" && i.Arguments.EndsWith(" AS runtime", StringComparison.Ordinal));
        var install = instructions.FindIndex(runtime, i => i.Keyword == "RUN" && i.Arguments.Contains("apt-get install -y --no-install-recommends libgpiod2", StringComparison.Ordinal));
        var user = instructions.FindLastIndex(i => i.Keyword == "USER");
        Assert.True(runtime >= 0 && install > runtime && install < user, "libgpiod2 must be installed in the runtime stage, before USER");
        Assert.Contains("rm -rf /var/lib/apt/lists/*", instructions[install].Arguments, StringComparison.Ordinal);
    }

    [Fact]
    public void Image_is_built_for_the_balena_architecture_and_runs_as_a_non_root_user()
    {
        var instructions = Dockerfile.Parse(Repository.Read("deploy/balena/Dockerfile.template"));

        var froms = instructions.Where(i => i.Keyword == "FROM").Select(i => i.Arguments).ToList();
        Assert.Equal(["mcr.microsoft.com/dotnet/sdk:10.0 AS build", "mcr.microsoft.com/dotnet/runtime-deps:10.0 AS runtime"], froms);
        Assert.Contains(instructions, i => i.Keyword == "ARG" && i.Arguments == "BALENA_ARCH=%%BALENA_ARCH%%");
        // Both balena 64-bit architectures map to a runtime identifier the Host project builds for.
        var hostProject = Repository.Read("src/EdgeEnergy.Host/EdgeEnergy.Host.csproj");
        var publish = string.Join('\n', instructions.Where(i => i.Keyword == "RUN").Select(i => i.Arguments));
        foreach (var (arch, rid) in new[] { ("aarch64", "linux-arm64"), ("amd64", "linux-x64") })
        {
            Assert.Contains($"{arch}) echo {rid} > /rid", publish, StringComparison.Ordinal);
            Assert.Contains(rid, hostProject, StringComparison.Ordinal);
        }

        Assert.Contains("--self-contained", publish, StringComparison.Ordinal);
        Assert.Contains("test -f /app/libortools.so.9", publish, StringComparison.Ordinal);
        var user = instructions.Last(i => i.Keyword == "USER").Arguments;
        Assert.True(int.TryParse(user, out var uid) && uid > 0, $"USER {user} is not a numeric non-root uid");
        Assert.Equal("[\"/app/edgeenergy\"]", instructions.Single(i => i.Keyword == "ENTRYPOINT").Arguments);
        Assert.Equal("[\"run\"]", instructions.Single(i => i.Keyword == "CMD").Arguments);
    }

    [Fact]
    public async Task Staged_balena_project_validates_and_holds_every_file_the_images_copy()
    {
        var stage = _temp.Combine("stage");
        var staged = await ProcessRunner.RunAsync("bash", Repository.PathOf("deploy/balena/stage.sh"), stage);
        Assert.True(staged.ExitCode == 0, staged.ToString());

        var config = await ProcessRunner.RunAsync("docker-compose", ["-f", Path.Combine(stage, "docker-compose.yml"), "config", "-q"], stage);
        Assert.True(config.ExitCode == 0 && config.Stderr.Length == 0, config.ToString());
        Assert.True(File.Exists(Path.Combine(stage, "balena.yml")));

        var services = Yaml.Load(Path.Combine(stage, "docker-compose.yml")).Map("services");
        foreach (var name in new[] { "edgeenergy", "mosquitto" })
        {
            var build = services.Map(name).Map("build");
            var context = Path.GetFullPath(Path.Combine(stage, build.Scalar("context")));
            Assert.StartsWith(stage, context, StringComparison.Ordinal);
            var dockerfile = Path.Combine(context, build.Has("dockerfile") ? build.Scalar("dockerfile") : "Dockerfile");
            Assert.True(File.Exists(dockerfile), $"{name}: {dockerfile} missing");
            foreach (var source in Dockerfile.ContextSources(Dockerfile.Parse(File.ReadAllText(dockerfile))))
            {
                Assert.True(Path.Exists(Path.Combine(context, source)), $"{name}: COPY {source} is not in the staged build context");
            }
        }
    }

    [Fact]
    public void Balena_yml_targets_only_64_bit_devices_and_starts_with_documented_variables()
    {
        var balena = Yaml.Load(Repository.PathOf("deploy/balena/balena.yml"));
        Assert.Equal("sw.application", balena.Scalar("type"));
        var data = balena.Map("data");

        var devices = data.Seq("supportedDeviceTypes").Scalars();
        Assert.Contains(data.Scalar("defaultDeviceType"), devices);
        Assert.All(devices, d => Assert.True(d.EndsWith("-64", StringComparison.Ordinal) || d is "raspberrypi5" || d.EndsWith("aarch64", StringComparison.Ordinal) || d.EndsWith("amd64", StringComparison.Ordinal), $"{d} is not a 64-bit device type"));
        var variables = data.Seq("applicationEnvironmentVariables").Children
            .SelectMany(v => ((YamlMappingNode)v).Children.Keys.Select(k => ((YamlScalarNode)k).Value!))
            .ToList();
        Assert.Contains("EDGEENERGY__INVERTER__ENDPOINT", variables);
        Assert.Contains("EDGEENERGY__OCTOPUS__REGION", variables);
    }
}
