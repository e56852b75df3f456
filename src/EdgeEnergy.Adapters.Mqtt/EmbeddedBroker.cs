using System.Net;
using Microsoft.Extensions.Logging;
using MQTTnet.Server;

namespace EdgeEnergy.Adapters.Mqtt;

/// <summary>
/// An in-process MQTT broker on 127.0.0.1 for <c>edgeenergy demo</c> when no broker is configured: anonymous,
/// loopback only, retained messages in memory. Any MQTT client (mosquitto_sub, Home Assistant on the same host) can
/// connect to it.
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
        _server = new MqttServerFactory().CreateMqttServer(options);
        _server.ValidatingConnectionAsync += e =>
        {
            // An MQTT 5 client may leave its id empty for the broker to assign (mosquitto_sub -V 5 does). MQTTnet only
            // honours this for MQTT 5: a 3.1.1 client must send an id (mosquitto_sub -i NAME), as the README says.
            if (string.IsNullOrEmpty(e.ClientId))
            {
                e.AssignedClientIdentifier = $"auto-{Guid.NewGuid():N}";
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
