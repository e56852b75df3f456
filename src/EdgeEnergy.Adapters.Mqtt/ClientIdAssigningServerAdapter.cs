using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Server;

namespace EdgeEnergy.Adapters.Mqtt;

/// <summary>
/// Wraps MQTTnet's TCP server adapter so that an MQTT 3.1.1 client that sends an empty client id with clean session
/// set gets a unique one, as MQTT 3.1.1 §3.1.3.1 lets a server do [MQTT-3.1.3-6] (mosquitto_sub and mosquitto_pub send
/// no id unless given <c>-i</c>). MQTTnet itself assigns ids to MQTT 5 clients only and refuses the rest. An empty id
/// without clean session is left as it is, so MQTTnet refuses it with "identifier rejected" [MQTT-3.1.3-8].
/// </summary>
internal sealed class ClientIdAssigningServerAdapter(IMqttServerAdapter inner, ILogger logger) : IMqttServerAdapter
{
    public Func<IMqttChannelAdapter, Task> ClientHandler { get; set; } = _ => Task.CompletedTask;

    /// <summary>A fresh unique client id ("auto-" and a GUID's 32 hex digits).</summary>
    public static string NewClientId() => $"auto-{Guid.NewGuid():N}";

    public Task StartAsync(MqttServerOptions options, IMqttNetLogger mqttLogger)
    {
        inner.ClientHandler = channel => ClientHandler(new Channel(channel, logger));
        return inner.StartAsync(options, mqttLogger);
    }

    public Task StopAsync() => inner.StopAsync();

    public void Dispose() => inner.Dispose();

    /// <summary>One connection; only its first packet (the CONNECT) can be changed.</summary>
    private sealed class Channel(IMqttChannelAdapter inner, ILogger logger) : IMqttChannelAdapter
    {
        private bool _connectSeen;

        public long BytesReceived => inner.BytesReceived;

        public long BytesSent => inner.BytesSent;

        public X509Certificate2 ClientCertificate => inner.ClientCertificate;

        public EndPoint RemoteEndPoint => inner.RemoteEndPoint;

        public EndPoint LocalEndPoint => inner.LocalEndPoint;

        public bool IsSecureConnection => inner.IsSecureConnection;

        public MqttPacketFormatterAdapter PacketFormatterAdapter => inner.PacketFormatterAdapter;

        public Task ConnectAsync(CancellationToken cancellationToken) => inner.ConnectAsync(cancellationToken);

        public Task DisconnectAsync(CancellationToken cancellationToken) => inner.DisconnectAsync(cancellationToken);

        public async Task<MqttPacket> ReceivePacketAsync(CancellationToken cancellationToken)
        {
            var packet = await inner.ReceivePacketAsync(cancellationToken).ConfigureAwait(false);
            if (!_connectSeen)
            {
                _connectSeen = true;
                if (packet is MqttConnectPacket { CleanSession: true } connect && string.IsNullOrEmpty(connect.ClientId)
                    && inner.PacketFormatterAdapter.ProtocolVersion == MqttProtocolVersion.V311)
                {
                    connect.ClientId = NewClientId();
                    logger.ClientIdAssigned(connect.ClientId, inner.RemoteEndPoint?.ToString());
                }
            }

            return packet;
        }

        public void ResetStatistics() => inner.ResetStatistics();

        public Task SendPacketAsync(MqttPacket packet, CancellationToken cancellationToken) => inner.SendPacketAsync(packet, cancellationToken);

        public void Dispose() => inner.Dispose();
    }
}
