using System.Security.Cryptography.X509Certificates;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace EdgeEnergy.Adapters.Mqtt;

/// <summary>How the appliance logs in to a broker: credentials and TLS.</summary>
/// <param name="Username">No credentials when empty.</param>
/// <param name="Password">With <paramref name="Username"/>; empty when null.</param>
/// <param name="UseTls">TLS to the broker, checked against the system roots unless a CA is given.</param>
/// <param name="CaCertificatePath">A CA of the user's to check the broker's certificate against instead of the system roots.</param>
/// <param name="AllowUntrustedCertificates">Accept any broker certificate (Home Assistant's broker only; overrides the CA).</param>
/// <param name="ClientCertificatePath">With <paramref name="ClientKeyPath"/>: a client certificate in PEM (the fleet broker).</param>
/// <param name="ClientKeyPath">The client certificate's private key in PEM.</param>
internal sealed record BrokerLogin(
    string? Username, string? Password, bool UseTls, string? CaCertificatePath,
    bool AllowUntrustedCertificates = false, string? ClientCertificatePath = null, string? ClientKeyPath = null);

/// <summary>
/// The MQTT connection both of the appliance's links make (the Home Assistant bridge and the fleet link): MQTT 3.1.1,
/// a clean session, a 10 s connect timeout, and a last will of "offline", retained, on the link's availability topic.
/// A clean session because what must not be lost is kept on our side (the fleet link's acknowledged queue; the bridge
/// republishes its state on connect) and because a persistent session lives on one broker node, unreachable when that
/// node is down.
/// </summary>
internal static class BrokerClientOptions
{
    public static MqttClientOptions Build(string host, int port, string clientId, int keepAliveSeconds, string availabilityTopic, BrokerLogin login)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(host, port)
            .WithClientId(clientId)
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithCleanSession()
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(keepAliveSeconds))
            .WithTimeout(TimeSpan.FromSeconds(10))
            .WithWillTopic(availabilityTopic)
            .WithWillPayload("offline")
            .WithWillRetain()
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (!string.IsNullOrEmpty(login.Username))
        {
            builder.WithCredentials(login.Username, login.Password ?? "");
        }

        if (login.UseTls)
        {
            builder.WithTlsOptions(tls =>
            {
                tls.UseTls().WithTargetHost(host);
                if (login.AllowUntrustedCertificates)
                {
                    tls.WithAllowUntrustedCertificates().WithIgnoreCertificateChainErrors().WithCertificateValidationHandler(_ => true);
                }
                else if (!string.IsNullOrWhiteSpace(login.CaCertificatePath))
                {
                    var ca = X509CertificateLoader.LoadCertificateFromFile(login.CaCertificatePath);
                    tls.WithCertificateValidationHandler(e => BrokerCertificate.IsTrusted(e.Certificate, e.SslPolicyErrors, ca));
                }

                if (!string.IsNullOrWhiteSpace(login.ClientCertificatePath) && !string.IsNullOrWhiteSpace(login.ClientKeyPath))
                {
                    tls.WithClientCertificates(new X509Certificate2Collection(X509Certificate2.CreateFromPemFile(login.ClientCertificatePath, login.ClientKeyPath)));
                }
            });
        }

        return builder.Build();
    }
}
