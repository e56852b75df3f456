using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace EdgeEnergy.Adapters.Mqtt.Tests.Fleet;

/// <summary>A plain MQTT client on one broker node that records everything under <c>edgeenergy/fleet/#</c> and can publish.</summary>
internal sealed class FleetObserver : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();

    public ConcurrentQueue<(string Topic, string Payload, bool Retain)> Messages { get; } = new();

    public static async Task<FleetObserver> ConnectAsync(string host, int port, string filter = "edgeenergy/fleet/#")
    {
        var observer = new FleetObserver();
        observer._client.ApplicationMessageReceivedAsync += e =>
        {
            observer.Messages.Enqueue((e.ApplicationMessage.Topic, Encoding.UTF8.GetString(e.ApplicationMessage.Payload.ToArray()), e.ApplicationMessage.Retain));
            return Task.CompletedTask;
        };
        await observer._client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(host, port).WithProtocolVersion(MqttProtocolVersion.V311)
            .WithClientId($"observer-{Guid.NewGuid():N}").WithCleanSession().Build());
        await observer._client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce).Build());
        return observer;
    }

    public Task PublishAsync(string topic, string payload, bool retain = false) =>
        _client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithRetainFlag(retain)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());

    /// <summary>Waits until a message matching <paramref name="match"/> has arrived; fails with what did arrive.</summary>
    public async Task<(string Topic, string Payload, bool Retain)> WaitForAsync(Func<(string Topic, string Payload, bool Retain), bool> match, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            foreach (var m in Messages)
            {
                if (match(m))
                {
                    return m;
                }
            }

            await Task.Delay(20);
        }

        throw new Xunit.Sdk.XunitException($"no {what} within {timeout}; got:\n{string.Join("\n", Messages.Select(m => $"{m.Topic} {m.Payload} retain={m.Retain}"))}");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _client.DisconnectAsync();
        }
        catch (MQTTnet.Exceptions.MqttCommunicationException)
        {
        }

        _client.Dispose();
    }
}
