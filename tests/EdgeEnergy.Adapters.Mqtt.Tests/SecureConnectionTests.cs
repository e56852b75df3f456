using EdgeEnergy.Testing;
using EdgeEnergy.Testing.Mqtt;

namespace EdgeEnergy.Adapters.Mqtt.Tests;

/// <summary>TLS and credentials against a Mosquitto with a password file and a self-signed certificate (openssl).</summary>
public sealed class SecureConnectionTests : IAsyncLifetime
{
    private MosquittoBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await MosquittoBroker.StartAsync(new MosquittoSecurity("solar", "s3cret", Tls: true));

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    private MqttOptions Options(string password, string? caPath)
    {
        var options = BridgeHarness.FastOptions(_broker.Port);
        options.Username = "solar";
        options.Password = password;
        options.UseTls = true;
        options.CaCertificatePath = caPath;
        return options;
    }

    [Fact]
    public async Task It_connects_over_TLS_with_the_brokers_CA_and_a_password()
    {
        await using var bridge = await BridgeHarness.StartAsync(Options("s3cret", _broker.CertificatePath));
        await using var watch = await MosquittoSubscriber.StartAsync(_broker.Port, _broker.ClientArguments, Topics.Availability, Topics.State("battery_soc"));

        await watch.WaitForAsync(Topics.Availability, "online");
        await watch.WaitForAsync(Topics.State("battery_soc"), "63");
    }

    [Fact]
    public async Task A_wrong_password_or_an_untrusted_certificate_never_connects()
    {
        var otherCa = Path.Combine(Path.GetTempPath(), $"edgeenergy-other-ca-{Guid.NewGuid():N}.pem");
        await using var stranger = await MosquittoBroker.StartAsync(new MosquittoSecurity("x", "y", Tls: true));
        File.Copy(stranger.CertificatePath, otherCa);
        try
        {
            await using var watch = await MosquittoSubscriber.StartAsync(_broker.Port, _broker.ClientArguments, Topics.Availability);
            var passwordLog = new CapturingLoggerFactory();
            var caLog = new CapturingLoggerFactory();
            await using var wrongPassword = await BridgeHarness.StartAsync(Options("wrong", _broker.CertificatePath), logger: passwordLog.For<HomeAssistantMqttBridge>());
            await using var wrongCa = await BridgeHarness.StartAsync(Options("s3cret", otherCa), logger: caLog.For<HomeAssistantMqttBridge>());

            // Each bridge has tried and been refused three times: a connection that could be made would have been.
            await RefusedAsync(passwordLog, times: 3);
            await RefusedAsync(caLog, times: 3);

            Assert.Equal(0, wrongPassword.Bridge.Connections);
            Assert.Equal(0, wrongCa.Bridge.Connections);
            Assert.DoesNotContain(watch.Messages, m => m.Topic == Topics.Availability);
        }
        finally
        {
            File.Delete(otherCa);
        }
    }

    /// <summary>Waits until the bridge has logged <paramref name="times"/> failed connection rounds.</summary>
    private static async Task RefusedAsync(CapturingLoggerFactory log, int times)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (log.Lines.Count(l => l.Contains("MQTT connection to", StringComparison.Ordinal) || l.Contains("MQTT loop error", StringComparison.Ordinal)) < times)
        {
            Assert.True(DateTime.UtcNow < deadline, "fewer than " + times + " failed connection rounds in 20 s:\n" + log.All);
            await Task.Delay(50);
        }
    }
}
