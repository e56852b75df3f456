using System.Buffers;
using System.Reflection;
using System.Threading.Channels;
using EdgeEnergy.Adapters.Mqtt.Commands;
using EdgeEnergy.Adapters.Mqtt.Discovery;
using EdgeEnergy.Adapters.Mqtt.Publishing;
using EdgeEnergy.Domain.Status;
using EdgeEnergy.Domain.UserOverrides;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeEnergy.Adapters.Mqtt;

/// <summary>
/// Home Assistant over MQTT. <see cref="RunAsync"/> runs three loops until cancelled:
/// <list type="bullet">
/// <item>connection: connect, and every <see cref="MqttOptions.ConnectionCheckSeconds"/> ping; when the ping fails or the
/// socket is gone, reconnect, resubscribe, and re-publish availability, discovery and all state (our own loop, not the
/// client's Disconnected event, which risks deadlocks);</item>
/// <item>state: every <see cref="MqttOptions.StateIntervalSeconds"/> publish the state topics whose payload changed, and
/// all of them every <see cref="MqttOptions.HeartbeatSeconds"/>;</item>
/// <item>inbound: commands and Home Assistant's birth message, handled off the client's receive loop (publishing at
/// QoS 1 from inside the receive handler would wait for an acknowledgement that handler is blocking).</item>
/// </list>
/// Availability is <c>online</c>/<c>offline</c>, retained, with <c>offline</c> as the last will.
/// </summary>
public sealed class HomeAssistantMqttBridge : IAsyncDisposable
{
    private readonly MqttOptions _options;
    private readonly IApplianceStatus _state;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly MqttTopics _topics;
    private readonly DiscoveryBuilder _discovery;
    private readonly CommandHandler _commands;
    private readonly IMqttClient _client;
    /// <summary>Inbound messages waiting to be handled; a flood beyond this drops the oldest.</summary>
    private readonly Channel<MqttApplicationMessage> _inbound = Channel.CreateBounded<MqttApplicationMessage>(
        new BoundedChannelOptions(256) { SingleReader = true, FullMode = BoundedChannelFullMode.DropOldest });
    private readonly SemaphoreSlim _publishLock = new(1, 1);

    /// <summary>
    /// One session step at a time (post-connect setup, a state round, one inbound message), so discovery is never
    /// published twice over itself and a command never races the setup of a new connection.
    /// </summary>
    private readonly SemaphoreSlim _sessionGate = new(1, 1);
    private readonly Dictionary<string, string> _published = new(StringComparer.Ordinal);
    private readonly HashSet<string> _clearingRetainedCommands = new(StringComparer.Ordinal);
    private IReadOnlyList<EntityInstance> _instances = [];
    private HashSet<string> _publishedImmersionIds = new(StringComparer.Ordinal);
    private DateTimeOffset _lastHeartbeat = DateTimeOffset.MinValue;
    private int _connections;

    public HomeAssistantMqttBridge(
        IOptions<MqttOptions> options,
        IApplianceStatus state,
        IApplianceCommands commands,
        OverrideLimits limits,
        TimeProvider time,
        ILogger<HomeAssistantMqttBridge> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(limits);
        _options = options.Value;
        _state = state;
        _time = time;
        _logger = logger;
        _topics = new MqttTopics(_options);
        var definitions = EntityDefinitionLoader.LoadFolder(string.IsNullOrWhiteSpace(_options.DefinitionsPath) ? EntityDefinitionLoader.DefaultFolder : _options.DefinitionsPath);
        _discovery = new DiscoveryBuilder(definitions, _options, limits, SoftwareVersion);
        _commands = new CommandHandler(state, commands, limits, time);
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += e =>
        {
            _inbound.Writer.TryWrite(e.ApplicationMessage);
            return Task.CompletedTask;
        };
    }

    /// <summary>Our version, as shown in Home Assistant's device page.</summary>
    public static string SoftwareVersion { get; } =
        typeof(HomeAssistantMqttBridge).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>The broker host actually used (the embedded broker's loopback address when none is configured).</summary>
    public string BrokerHost => string.IsNullOrWhiteSpace(_options.Host) ? "127.0.0.1" : _options.Host;

    public int BrokerPort => string.IsNullOrWhiteSpace(_options.Host) ? _options.EmbeddedBrokerPort : _options.Port;

    public bool IsConnected => _client.IsConnected;

    /// <summary>How many times a connection was established (1 after the first connect).</summary>
    public int Connections => Volatile.Read(ref _connections);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var loops = new[] { ConnectionLoopAsync(stop.Token), StateLoopAsync(stop.Token), InboundLoopAsync(stop.Token) };
        try
        {
            await Task.WhenAll(loops);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            await stop.CancelAsync();
            await GoOfflineAsync();
        }
    }

    private async Task ConnectionLoopAsync(CancellationToken ct)
    {
        var interval = TimeSpan.FromSeconds(_options.ConnectionCheckSeconds);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (!_client.IsConnected)
                {
                    await ConnectAsync(ct);
                }
                else if (!await _client.TryPingAsync(ct))
                {
                    _logger.ConnectionLost();
                    await DisconnectQuietlyAsync();
                    await ConnectAsync(ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or InvalidOperationException or IOException or System.Net.Sockets.SocketException)
            {
                _logger.ConnectFailed(BrokerHost, BrokerPort, ex.Message, interval.TotalSeconds);
                await DisconnectQuietlyAsync();
            }
#pragma warning disable CA1031 // The loop must survive anything; the error is logged and the next round retries.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _logger.LoopError(ex);
                await DisconnectQuietlyAsync();
            }

            await Task.Delay(interval, _time, ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task ConnectAsync(CancellationToken ct)
    {
        await _sessionGate.WaitAsync(ct);
        try
        {
            await ConnectAndPublishAsync(ct);
        }
        finally
        {
            _sessionGate.Release();
        }
    }

    private async Task ConnectAndPublishAsync(CancellationToken ct)
    {
        await _client.ConnectAsync(BuildClientOptions(), ct);
        // Commands may arrive as soon as we subscribe (a retained one at once): know our entities before that.
        Volatile.Write(ref _instances, _discovery.Instances(_state.Current.Immersions));
        await _client.SubscribeAsync(
            new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter(_topics.CommandFilter, MqttQualityOfServiceLevel.AtLeastOnce)
                .WithTopicFilter(_topics.HomeAssistantStatus, MqttQualityOfServiceLevel.AtLeastOnce)
                .Build(),
            ct);
        Interlocked.Increment(ref _connections);
        _logger.Connected(BrokerHost, BrokerPort, _options.EffectiveClientId);
        await PublishAsync(new OutboundMessage(_topics.Availability, "online", 1, Retain: true), ct);
        await PublishDiscoveryAsync(ct);
        await PublishStateAsync(forceAll: true, forceTopics: null, ct);
    }

    private MqttClientOptions BuildClientOptions() => BrokerClientOptions.Build(
        BrokerHost, BrokerPort, _options.EffectiveClientId, _options.KeepAliveSeconds, _topics.Availability,
        new BrokerLogin(_options.Username, _options.Password, _options.UseTls, _options.CaCertificatePath, _options.AllowUntrustedCertificates));

    private async Task StateLoopAsync(CancellationToken ct)
    {
        var interval = TimeSpan.FromSeconds(_options.StateIntervalSeconds);
        var heartbeat = TimeSpan.FromSeconds(_options.HeartbeatSeconds);
        while (!ct.IsCancellationRequested)
        {
            await Task.Delay(interval, _time, ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (ct.IsCancellationRequested || !_client.IsConnected)
            {
                continue;
            }

            try
            {
                await _sessionGate.WaitAsync(ct);
                try
                {
                    var immersionIds = _state.Current.Immersions.Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
                    if (!immersionIds.SetEquals(_publishedImmersionIds))
                    {
                        await PublishDiscoveryAsync(ct);
                    }

                    await PublishStateAsync(forceAll: _time.GetUtcNow() - _lastHeartbeat >= heartbeat, forceTopics: null, ct);
                }
                finally
                {
                    _sessionGate.Release();
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The loop must survive anything; the error is logged and the next round retries.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _logger.LoopError(ex);
            }
        }
    }

    private async Task InboundLoopAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var message in _inbound.Reader.ReadAllAsync(ct))
            {
                try
                {
                    await _sessionGate.WaitAsync(ct);
                    try
                    {
                        await HandleInboundAsync(message, ct);
                    }
                    finally
                    {
                        _sessionGate.Release();
                    }
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    return;
                }
#pragma warning disable CA1031 // One bad message must not stop the next; it is logged.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    _logger.CommandFailed(message.Topic, ex);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private async Task HandleInboundAsync(MqttApplicationMessage message, CancellationToken ct)
    {
        var payload = message.Payload.IsEmpty ? ReadOnlyMemory<byte>.Empty : message.Payload.ToArray();
        if (message.Topic == _topics.HomeAssistantStatus)
        {
            var text = System.Text.Encoding.UTF8.GetString(payload.Span);
            _logger.HomeAssistantStatus(message.Topic, text);
            if (text == "online")
            {
                _logger.HomeAssistantOnline(message.Topic);
                await PublishDiscoveryAsync(ct);
                await PublishStateAsync(forceAll: true, forceTopics: null, ct);
            }

            return;
        }

        if (!message.Topic.StartsWith(_topics.CommandPrefix, StringComparison.Ordinal))
        {
            return;
        }

        var key = message.Topic[_topics.CommandPrefix.Length..];
        if (payload.IsEmpty && _clearingRetainedCommands.Remove(message.Topic))
        {
            return; // the echo of our own clearing of a stale retained command
        }

        var instance = Volatile.Read(ref _instances).FirstOrDefault(i => i.Key == key && i.Definition.Command is not null);
        var outcome = await _commands.HandleAsync(instance, key, payload, message.Retain, ct);
        if (message.Retain && !payload.IsEmpty)
        {
            // Clear the stale retained command so it is not re-delivered at every reconnect.
            _clearingRetainedCommands.Add(message.Topic);
            await PublishAsync(new OutboundMessage(message.Topic, "", 1, Retain: true), ct);
        }

        if (outcome.Accepted)
        {
            _logger.CommandApplied(message.Topic, outcome.Payload);
        }
        else
        {
            _logger.CommandRejected(message.Topic, outcome.Reason!);
        }

        await PublishAsync(new OutboundMessage(_topics.Status, outcome.ToJson(), 1, Retain: true), ct);

        // Re-publish this entity's state even when unchanged, so Home Assistant's UI snaps back after a rejection
        // (and shows the applied value after an acceptance), then anything else the command changed.
        var forced = instance is null ? [] : StateProjection.Project([instance], _discovery, _state.Current, _time.GetUtcNow()).Select(m => m.Topic).ToHashSet(StringComparer.Ordinal);
        await PublishStateAsync(forceAll: false, forceTopics: forced, ct);
    }

    private async Task PublishDiscoveryAsync(CancellationToken ct)
    {
        var immersions = _state.Current.Immersions;
        var current = immersions.Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
        var removed = _publishedImmersionIds.Where(id => !current.Contains(id)).ToArray();
        var messages = _discovery.Build(immersions, removed);
        foreach (var message in messages)
        {
            await PublishAsync(message, ct);
        }

        Volatile.Write(ref _instances, _discovery.Instances(immersions));
        _publishedImmersionIds = current;
        _logger.DiscoveryPublished(_instances.Count, _discovery.Definitions.Count(d => !_discovery.IsEnabled(d)) + removed.Length);
    }

    private async Task PublishStateAsync(bool forceAll, HashSet<string>? forceTopics, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var messages = StateProjection.Project(Volatile.Read(ref _instances), _discovery, _state.Current, now).ToArray();
        await _publishLock.WaitAsync(ct);
        try
        {
            foreach (var message in messages)
            {
                var force = forceAll || (forceTopics?.Contains(message.Topic) ?? false);
                if (!force && _published.TryGetValue(message.Topic, out var last) && last == message.Payload)
                {
                    continue;
                }

                if (await PublishCoreAsync(message, ct))
                {
                    _published[message.Topic] = message.Payload;
                }
            }

            if (forceAll)
            {
                _lastHeartbeat = now;
            }
        }
        finally
        {
            _publishLock.Release();
        }
    }

    private async Task PublishAsync(OutboundMessage message, CancellationToken ct)
    {
        await _publishLock.WaitAsync(ct);
        try
        {
            await PublishCoreAsync(message, ct);
        }
        finally
        {
            _publishLock.Release();
        }
    }

    private async Task<bool> PublishCoreAsync(OutboundMessage message, CancellationToken ct)
    {
        var mqttMessage = new MqttApplicationMessageBuilder()
            .WithTopic(message.Topic)
            .WithPayload(message.Payload)
            .WithQualityOfServiceLevel((MqttQualityOfServiceLevel)message.Qos)
            .WithRetainFlag(message.Retain)
            .Build();
        try
        {
            var result = await _client.PublishAsync(mqttMessage, ct);
            if (!result.IsSuccess)
            {
                _logger.PublishFailed(message.Topic, result.ReasonString ?? result.ReasonCode.ToString());
            }

            return result.IsSuccess;
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or InvalidOperationException)
        {
            _logger.PublishFailed(message.Topic, ex.Message);
            return false;
        }
    }

    private async Task GoOfflineAsync()
    {
        if (_client.IsConnected)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await PublishCoreAsync(new OutboundMessage(_topics.Availability, "offline", 1, Retain: true), timeout.Token);
            }
            catch (OperationCanceledException)
            {
            }

            await DisconnectQuietlyAsync();
        }

        _logger.Stopped();
    }

    private async Task DisconnectQuietlyAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), timeout.Token);
        }
#pragma warning disable CA1031 // Tearing down a connection that is already broken may throw anything; there is nothing to do about it.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        _publishLock.Dispose();
        _sessionGate.Dispose();
        return ValueTask.CompletedTask;
    }
}
