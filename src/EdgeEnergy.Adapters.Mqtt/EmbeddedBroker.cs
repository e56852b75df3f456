using System.Net;
using Microsoft.Extensions.Logging;
using MQTTnet.Server;

namespace EdgeEnergy.Adapters.Mqtt;

/// <summary>
/// An in-process MQTT broker on 127.0.0.1 for <c>edgeenergy demo</c> when no broker is configured: anonymous,
/// loopback only, retained messages in memory. Any MQTT client (mosquitto_sub, Home Assistant on the same host) can
/// connect to it, also without a client id: the broker assigns one (MQTT 5 §3.1.3.1.1, MQTT 3.1.1 §3.1.3.1 with clean
/// session set), as Mosquitto does.
/// </summary>
public sealed class EmbeddedBroker : IAsyncDisposable
{
    private readonly MqttServer _server;
    private readonly ILogger _logger;

    public EmbeddedBroker(int port, ILogger<EmbeddedBroker> logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        Port = port;
        _logger = logger;
        var options = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
            .WithDefaultEndpointBoundIPV6Address(IPAddress.None)
            .WithDefaultEndpointPort(port)
            .Build();
        var factory = new MqttServerFactory();
        // MQTTnet assigns ids to MQTT 5 clients only (below); 3.1.1 clients get theirs as their CONNECT is read.
        var adapters = factory.DefaultServerAdapters.Select(create => new ClientIdAssigningServerAdapter(create(factory), logger)).ToArray();
        _server = factory.CreateMqttServer(options, adapters);
        _server.ValidatingConnectionAsync += e =>
        {
            // An MQTT 5 client may leave its id empty for the broker to assign; MQTTnet sends it back in the CONNACK.
            if (string.IsNullOrEmpty(e.ClientId))
            {
                e.AssignedClientIdentifier = ClientIdAssigningServerAdapter.NewClientId();
            }

            return Task.CompletedTask;
        };
    }

    public int Port { get; }

    public bool IsStarted => _server.IsStarted;

    public async Task StartAsync()
    {
        await _server.StartAsync();
        _logger.EmbeddedBrokerStarted(Port);
    }

    public async Task StopAsync()
    {
        if (_server.IsStarted)
        {
            await _server.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _server.Dispose();
    }
}
