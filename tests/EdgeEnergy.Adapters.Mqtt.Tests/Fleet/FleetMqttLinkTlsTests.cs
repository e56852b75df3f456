using System.Collections.Concurrent;
using System.Diagnostics;
using EdgeEnergy.Adapters.Mqtt.Fleet;
using EdgeEnergy.Domain.UserOverrides;
using EdgeEnergy.Testing;
using EdgeEnergy.Testing.Appliance;
using EdgeEnergy.Testing.Net;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeEnergy.Adapters.Mqtt.Tests.Fleet;

/// <summary>
/// The fleet link's TLS with a client certificate (<c>Fleet:Mqtt:CaCertificatePath</c>, <c>ClientCertificatePath</c>,
/// <c>ClientKeyPath</c>) against a real Mosquitto that requires one (<c>require_certificate true</c>), with a CA, a
/// broker certificate and a home's certificate made by openssl for the test.
/// </summary>
public sealed class FleetMqttLinkTlsTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("edgeenergy-fleet-tls-").FullName;
    private readonly int _port = FreeTcpPort.Next();
    private Process? _broker;

    private string PathOf(string name) => Path.Combine(_folder, name);

    public async Task InitializeAsync()
    {
        await OpenSslAsync("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=fleet-test-ca", "-keyout", PathOf("ca.key"), "-out", PathOf("ca.pem"));
        await File.WriteAllTextAsync(PathOf("server.ext"), "subjectAltName=IP:127.0.0.1\n");
        foreach (var (name, cn, ext) in new[] { ("server", "127.0.0.1", true), ("home", "home-tls", false) })
        {
            await OpenSslAsync("req", "-newkey", "rsa:2048", "-nodes", "-subj", $"/CN={cn}", "-keyout", PathOf($"{name}.key"), "-out", PathOf($"{name}.csr"));
            await OpenSslAsync(["x509", "-req", "-in", PathOf($"{name}.csr"), "-CA", PathOf("ca.pem"), "-CAkey", PathOf("ca.key"), "-CAcreateserial", "-days", "2",
                "-out", PathOf($"{name}.pem"), .. ext ? new[] { "-extfile", PathOf("server.ext") } : []]);
        }

        await File.WriteAllTextAsync(PathOf("mosquitto.conf"), $"""
            user root
            listener {_port} 127.0.0.1
            cafile {PathOf("ca.pem")}
            certfile {PathOf("server.pem")}
            keyfile {PathOf("server.key")}
            require_certificate true
            use_identity_as_username true
            allow_anonymous false

            """);
        var start = new ProcessStartInfo("mosquitto", ["-c", PathOf("mosquitto.conf")])
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
        };
        _broker = Process.Start(start) ?? throw new InvalidOperationException("mosquitto did not start");
        _broker.StandardInput.Close();
        _ = _broker.StandardOutput.ReadToEndAsync();
        var said = _broker.StandardError.ReadToEndAsync();
        try
        {
            await FreeTcpPort.WaitUntilListeningAsync(_port, TimeSpan.FromSeconds(10));
        }
        catch (System.Net.Sockets.SocketException)
        {
            throw new InvalidOperationException($"mosquitto did not listen: {(_broker.HasExited ? await said : "(still running)")}");
        }
    }

    private static async Task OpenSslAsync(params string[] args)
    {
        var result = await ProcessRunner.RunAsync("openssl", args);
        Assert.True(result.ExitCode == 0, $"openssl {string.Join(' ', args)}: {result.Stderr}");
    }

    private async Task<(FleetMqttLink Link, ConcurrentQueue<string?> Health)> RunLinkAsync(bool withClientCertificate, CancellationToken ct)
    {
        var options = new FleetMqttOptions
        {
            Host = "127.0.0.1", Port = _port, UseTls = true, CaCertificatePath = PathOf("ca.pem"),
            ClientCertificatePath = withClientCertificate ? PathOf("home.pem") : null, ClientKeyPath = withClientCertificate ? PathOf("home.key") : null,
            StateIntervalSeconds = 0.3, SampleSeconds = 0.1, ConnectionCheckSeconds = 0.3,
        };
        var appliance = new FakeAppliance(new InMemoryOverrideStore(), BridgeHarness.Limits, TimeProvider.System, FakeAppliance.Sample);
        var health = new ConcurrentQueue<string?>();
        var link = new FleetMqttLink(options, new FleetIdentity("home-tls"), appliance, appliance, BridgeHarness.Limits, null, TimeProvider.System, NullLogger.Instance, health.Enqueue);
        _ = Task.Run(() => link.RunAsync(ct), CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline && (withClientCertificate ? link.StateAcknowledged < 2 : health.IsEmpty))
        {
            await Task.Delay(50, CancellationToken.None);
        }

        return (link, health);
    }

    [Fact]
    public async Task The_home_connects_with_its_client_certificate_and_its_state_is_acknowledged()
    {
        using var stop = new CancellationTokenSource();
        var (link, health) = await RunLinkAsync(withClientCertificate: true, stop.Token);

        Assert.True(link.StateAcknowledged >= 2, $"acknowledged {link.StateAcknowledged}; health: {string.Join(" | ", health)}");
        Assert.Equal(1, link.Connections);
        Assert.Null(health.Last());
        await stop.CancelAsync();
    }

    [Fact]
    public async Task Without_a_client_certificate_the_broker_refuses_and_the_link_says_why()
    {
        using var stop = new CancellationTokenSource();
        var (link, health) = await RunLinkAsync(withClientCertificate: false, stop.Token);

        Assert.Equal(0, link.Connections);
        Assert.Contains(health, p => p is not null && p.Contains($"fleet broker 127.0.0.1:{_port} unreachable", StringComparison.Ordinal));
        await stop.CancelAsync();
    }

    public Task DisposeAsync()
    {
        if (_broker is { HasExited: false })
        {
            _broker.Kill();
            _broker.WaitForExit(5000);
        }

        _broker?.Dispose();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }
}
