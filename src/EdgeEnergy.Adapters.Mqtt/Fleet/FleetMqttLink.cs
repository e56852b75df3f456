using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using EdgeEnergy.Adapters.Mqtt.Commands;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Status;
using EdgeEnergy.Domain.UserOverrides;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeEnergy.Adapters.Mqtt.Fleet;

/// <summary>Who this home is on the fleet broker, and whether it takes fleet commands (<c>Fleet:AcceptCommands</c>).</summary>
/// <param name="SiteId">The home's <c>Site:Id</c>: one topic level.</param>
/// <param name="BaseTopic">Root of the topics (<c>Mqtt:BaseTopic</c>, default <c>edgeenergy</c>).</param>
/// <param name="AcceptCommands">False: every fleet command is refused with the reason, and nothing is applied.</param>
public sealed record FleetIdentity(string SiteId, string BaseTopic = "edgeenergy", bool AcceptCommands = true);

/// <summary>
/// This home on the fleet broker (issue 21 §1, docs/fleet.md). <see cref="RunAsync"/> runs until cancelled:
/// <list type="bullet">
/// <item>connection: connect (the first broker that answers, in <see cref="FleetMqttOptions.Brokers"/> order); when the
/// connection drops (a closed socket, or MQTT keep-alive unanswered), reconnect at once to the next broker, trying each
/// in turn and pausing <see cref="FleetMqttOptions.ConnectionCheckSeconds"/> after a full round of failures; availability
/// <c>online</c> retained, <c>offline</c> as the last will;</item>
/// <item>state: sample the snapshot every <see cref="FleetMqttOptions.SampleSeconds"/>; each finished window's means go
/// into a queue with the home's next sequence number, and leave it only when the broker has acknowledged them (QoS 1
/// PUBACK), so a broker node that dies or a link that drops loses nothing that the queue still holds: it is sent again,
/// in order, after the reconnect (a subscriber may see a message twice, never a gap). The plan summary is published
/// retained when the plan changes;</item>
/// <item>commands: <c>.../cmd/&lt;name&gt;</c> through the same <see cref="CommandHandler"/> as Home Assistant's (the same
/// parsing, hard limits, expiry), with source <c>fleet</c>, each recorded in the audit log and answered on
/// <c>.../result</c>.</item>
/// </list>
/// Nothing here is on the home's control path: the control loop never waits on the fleet broker.
/// </summary>
public sealed class FleetMqttLink : IAsyncDisposable
{
    /// <summary>The source fleet commands carry (the override's source, the audit's reason).</summary>
    public const string Source = "fleet";

    /// <summary>The <c>/healthz</c> component.</summary>
    public const string Component = "fleet-mqtt";

    /// <summary>The audit log's target for fleet commands.</summary>
    public const string AuditTarget = "fleet-command";

    /// <summary>Why a home with <c>Fleet:AcceptCommands=false</c> refuses.</summary>
    public const string RefusedByHome = "this home does not accept fleet commands (Fleet:AcceptCommands=false)";

    /// <summary>Fleet commands: the local overrides and settings; the control mode and the immersion heaters stay local.</summary>
    public static readonly IReadOnlySet<string> Commands = new HashSet<string>(StringComparer.Ordinal)
    {
        "override_mode", "override_duration", "reserve_soc", "replan", "ev_departure", "ev_target_soc", "ev_charge_now",
    };

    private const int RememberedCommandIds = 64;

    private readonly FleetMqttOptions _options;
    private readonly FleetIdentity _identity;
    private readonly IApplianceStatus _state;
    private readonly IAuditLog? _audit;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action<string?>? _health;
    private readonly CommandHandler _commands;
    private readonly IReadOnlyList<(string Host, int Port)> _brokers;
    private readonly IMqttClient _client;
    private readonly FleetStateWindow _window;
    private readonly Queue<FleetStateMessage> _outbox = new();
    private readonly Lock _outboxLock = new();
    private readonly SemaphoreSlim _publishGate = new(1, 1);
    private readonly Channel<MqttApplicationMessage> _inbound = Channel.CreateBounded<MqttApplicationMessage>(
        new BoundedChannelOptions(256) { SingleReader = true, FullMode = BoundedChannelFullMode.DropOldest });
    /// <summary>Wakes the connection loop when the client disconnects (the loop reconnects, not the event handler).</summary>
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Dictionary<string, string> _answered = new(StringComparer.Ordinal);
    private readonly Queue<string> _answeredOrder = new();
    private int _brokerIndex;
    private int _connections;
    private long _stateAcknowledged;
    private long _stateDropped;
    private DateTimeOffset? _publishedPlan;
    private string? _problem = "not connected yet";
    private DateTimeOffset? _connectionLostAt;
    private long _longestOutageTicks;

    public FleetMqttLink(
        FleetMqttOptions options, FleetIdentity identity, IApplianceStatus state, IApplianceCommands commands, OverrideLimits limits,
        IAuditLog? audit, TimeProvider time, ILogger logger, Action<string?>? healthChanged = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(identity);
        if (!FleetTopics.IsValidSiteId(identity.SiteId))
        {
            throw new ArgumentException($"site id '{identity.SiteId}' cannot be a fleet topic level (1-64 of A-Z a-z 0-9 . _ -)", nameof(identity));
        }

        _options = options;
        _identity = identity;
        _state = state;
        _audit = audit;
        _time = time;
        _logger = logger;
        _health = healthChanged;
        _brokers = options.Brokers();
        if (_brokers.Count == 0)
        {
            throw new ArgumentException($"{FleetMqttOptions.SectionName}:Host is empty: no fleet broker", nameof(options));
        }

        Topics = new FleetTopics(identity.BaseTopic, identity.SiteId);
        _commands = new CommandHandler(state, commands, limits, time, Source);
        _window = new FleetStateWindow(TimeSpan.FromSeconds(options.StateIntervalSeconds), time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += e =>
        {
            _inbound.Writer.TryWrite(e.ApplicationMessage);
            return Task.CompletedTask;
        };
        _client.DisconnectedAsync += _ =>
        {
            _wake.Writer.TryWrite(true);
            return Task.CompletedTask;
        };
    }

    public FleetTopics Topics { get; }

    public bool IsConnected => _client.IsConnected;

    /// <summary>Connections established so far (1 after the first connect).</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>The broker in use (or tried next).</summary>
    public (string Host, int Port) Broker => _brokers[Volatile.Read(ref _brokerIndex) % _brokers.Count];

    /// <summary>State messages made so far (the last sequence number).</summary>
    public long StateProduced => _window.NextSequence - 1;

    /// <summary>State messages the broker has acknowledged.</summary>
    public long StateAcknowledged => Interlocked.Read(ref _stateAcknowledged);

    /// <summary>State messages dropped because the queue was full (<see cref="FleetMqttOptions.QueueLimit"/>).</summary>
    public long StateDropped => Interlocked.Read(ref _stateDropped);

    /// <summary>
    /// The longest time from noticing a lost connection (a failed ping, a closed socket, at the next check) to being
    /// connected again; zero when the connection never dropped.
    /// </summary>
    public TimeSpan LongestOutage => TimeSpan.FromTicks(Interlocked.Read(ref _longestOutageTicks));

    /// <summary>State messages waiting for the broker.</summary>
    public int Queued
    {
        get
        {
            lock (_outboxLock)
            {
                return _outbox.Count;
            }
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            await Task.WhenAll(ConnectionLoopAsync(stop.Token), StateLoopAsync(stop.Token), InboundLoopAsync(stop.Token));
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

    /// <summary>Samples the snapshot now (the state loop calls this); a finished window is queued and sent.</summary>
    internal async Task SampleAsync(CancellationToken ct)
    {
        if (_window.Add(_state.Current, _time.GetUtcNow()) is { } message)
        {
            lock (_outboxLock)
            {
                _outbox.Enqueue(message);
                while (_outbox.Count > _options.QueueLimit)
                {
                    _outbox.Dequeue();
                    Interlocked.Increment(ref _stateDropped);
                }
            }
        }

        if (_client.IsConnected)
        {
            await FlushAsync(ct);
        }
    }

    private async Task ConnectionLoopAsync(CancellationToken ct)
    {
        var interval = TimeSpan.FromSeconds(_options.ConnectionCheckSeconds);
        var failedInARow = 0;
        while (!ct.IsCancellationRequested)
        {
            var tryNextAtOnce = false;
            try
            {
                // No ping of our own: MQTT keep-alive (MQTTnet's) finds a silent link, and a closed socket shows at
                // once; a ping every few seconds from every home of a large fleet would be most of the broker's work.
                if (!_client.IsConnected)
                {
                    if (_problem is null)
                    {
                        Report($"connection to {Broker.Host}:{Broker.Port} lost");
                    }

                    await ConnectAsync(ct);
                    failedInARow = 0;
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The loop must survive anything: the problem is the component's state, the next round retries.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Report($"fleet broker {Broker.Host}:{Broker.Port} unreachable: {ex.Message}");
                await DisconnectQuietlyAsync();
                NextBroker();
                // The other nodes at once; a pause only after each has failed.
                tryNextAtOnce = ++failedInARow % _brokers.Count != 0;
            }

            if (!tryNextAtOnce)
            {
                var delay = Task.Delay(interval, _time, ct);
                await Task.WhenAny(delay, _wake.Reader.WaitToReadAsync(ct).AsTask());
                while (_wake.Reader.TryRead(out _))
                {
                }
            }
        }
    }

    private void NextBroker() => Interlocked.Increment(ref _brokerIndex);

    private async Task ConnectAsync(CancellationToken ct)
    {
        var (host, port) = Broker;
        await _client.ConnectAsync(BuildClientOptions(host, port), ct);
        await _client.SubscribeAsync(
            new MqttClientSubscribeOptionsBuilder().WithTopicFilter(Topics.CommandFilter, MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);
        await PublishAsync(Topics.Availability, "online", retain: true, ct);
        Interlocked.Increment(ref _connections);
        _publishedPlan = null;
        Report(null);
        await FlushAsync(ct);
    }

    // A new client id per connection: RabbitMQ names a subscriber's queue after its client id, and the queue of a
    // connection whose node died stays registered to that node, so reusing the id on another node fails.
    private MqttClientOptions BuildClientOptions(string host, int port) => BrokerClientOptions.Build(
        host, port, $"edgeenergy-fleet-{_identity.SiteId}-{Guid.NewGuid().ToString("N")[..12]}", _options.KeepAliveSeconds, Topics.Availability,
        new BrokerLogin(_options.Username, _options.Password, _options.UseTls, _options.CaCertificatePath,
            ClientCertificatePath: _options.ClientCertificatePath, ClientKeyPath: _options.ClientKeyPath));

    private async Task StateLoopAsync(CancellationToken ct)
    {
        var interval = TimeSpan.FromSeconds(_options.SampleSeconds);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await SampleAsync(ct);
                if (_client.IsConnected)
                {
                    await PublishPlanIfChangedAsync(ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A failed publish waits in the queue for the next round; the connection loop reconnects.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _logger.FleetPublishFailed(ex.Message);
            }

            await Task.Delay(interval, _time, ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Sends the queue in order; each message leaves it only once the broker acknowledged it.</summary>
    private async Task FlushAsync(CancellationToken ct)
    {
        await _publishGate.WaitAsync(ct);
        try
        {
            while (true)
            {
                FleetStateMessage? head;
                lock (_outboxLock)
                {
                    _outbox.TryPeek(out head);
                }

                if (head is null)
                {
                    return;
                }

                await PublishCoreAsync(Topics.State, head.ToJson(), retain: false, ct);
                lock (_outboxLock)
                {
                    if (_outbox.TryPeek(out var still) && ReferenceEquals(still, head))
                    {
                        _outbox.Dequeue();
                    }
                }

                Interlocked.Increment(ref _stateAcknowledged);
            }
        }
        finally
        {
            _publishGate.Release();
        }
    }

    private async Task PublishPlanIfChangedAsync(CancellationToken ct)
    {
        if (_state.Current.Plan is not { } active || active.CreatedUtc == _publishedPlan)
        {
            return;
        }

        var slots = active.Plan.Slots;
        var summary = new JsonObject
        {
            ["createdUtc"] = active.CreatedUtc.UtcDateTime.ToString("o", CultureInfo.InvariantCulture),
            ["status"] = active.Plan.Status.ToString(),
            ["objectivePence"] = Math.Round(active.Plan.ObjectivePence, 1),
            ["start"] = active.Problem.Start.UtcDateTime.ToString("o", CultureInfo.InvariantCulture),
            ["slots"] = slots.Count,
            ["slotMinutes"] = active.Problem.SlotMinutes,
            ["importKwh"] = Math.Round(slots.Sum(s => s.ImportKwh), 2),
            ["exportKwh"] = Math.Round(slots.Sum(s => s.ExportKwh), 2),
            ["chargeKwh"] = Math.Round(slots.Sum(s => s.ChargeKwh), 2),
            ["dischargeKwh"] = Math.Round(slots.Sum(s => s.DischargeKwh), 2),
        };
        await PublishAsync(Topics.Plan, summary.ToJsonString(), retain: true, ct);
        _publishedPlan = active.CreatedUtc;
    }

    private async Task InboundLoopAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var message in _inbound.Reader.ReadAllAsync(ct))
            {
                try
                {
                    await HandleCommandAsync(message, ct);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    return;
                }
#pragma warning disable CA1031 // One bad command must not stop the next; it is logged, and the fleet re-sends an unanswered one.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    _logger.FleetCommandFailed(message.Topic, ex);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// One fleet command: the payload is the same text as the local command's (e.g. <c>force_charge</c>), or
    /// <c>{"id":"…","payload":"…"}</c> so the answer can be matched; a repeated id is answered again, not applied again.
    /// </summary>
    internal async Task<string> HandleCommandAsync(MqttApplicationMessage message, CancellationToken ct)
    {
        if (!message.Topic.StartsWith(Topics.CommandPrefix, StringComparison.Ordinal))
        {
            return "";
        }

        var key = message.Topic[Topics.CommandPrefix.Length..];
        var raw = message.Payload.IsEmpty ? ReadOnlyMemory<byte>.Empty : message.Payload.ToArray();
        var (id, payload) = Unwrap(raw);
        if (id is not null && _answered.TryGetValue(id, out var earlier))
        {
            await PublishAsync(Topics.Result, earlier, retain: false, ct);
            return earlier;
        }

        CommandOutcome outcome;
        var now = _time.GetUtcNow();
        if (!_identity.AcceptCommands)
        {
            outcome = new CommandOutcome(key, Text(payload), false, RefusedByHome, now);
        }
        else if (!Commands.Contains(key) || !CommandKinds.ByName.TryGetValue(key, out var kind))
        {
            outcome = new CommandOutcome(key, Text(payload), false, $"'{key}' is not a fleet command (one of: {string.Join(", ", Commands.Order(StringComparer.Ordinal))})", now);
        }
        else
        {
            outcome = await _commands.HandleAsync(kind, null, key, payload, message.Retain, ct);
        }

        if (_audit is not null)
        {
            await _audit.RecordAsync(
                new AuditEntry(now, AuditTarget, $"{key}={outcome.Payload}", outcome.Accepted ? "accepted" : "rejected",
                    outcome.Reason is null ? $"source: {Source}" : $"source: {Source}; {outcome.Reason}"),
                ct);
        }

        if (outcome.Accepted)
        {
            _logger.FleetCommandApplied(key, outcome.Payload);
        }
        else
        {
            _logger.FleetCommandRejected(key, outcome.Reason ?? "rejected");
        }

        var answer = JsonNode.Parse(outcome.ToJson())!.AsObject();
        answer["id"] = id;
        answer["source"] = Source;
        var json = answer.ToJsonString();
        if (id is not null)
        {
            _answered[id] = json;
            _answeredOrder.Enqueue(id);
            if (_answeredOrder.Count > RememberedCommandIds)
            {
                _answered.Remove(_answeredOrder.Dequeue());
            }
        }

        await PublishAsync(Topics.Result, json, retain: false, ct);
        return json;
    }

    private static string Text(ReadOnlyMemory<byte> payload) => Encoding.UTF8.GetString(payload.Span);

    private static (string? Id, ReadOnlyMemory<byte> Payload) Unwrap(ReadOnlyMemory<byte> raw)
    {
        var span = raw.Span.TrimStart(" \t\r\n"u8);
        if (span.IsEmpty || span[0] != (byte)'{')
        {
            return (null, raw);
        }

        try
        {
            using var doc = JsonDocument.Parse(raw);
            var root = doc.RootElement;
            var id = root.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
            if (root.TryGetProperty("payload", out var p) && p.ValueKind == JsonValueKind.String)
            {
                return (id, Encoding.UTF8.GetBytes(p.GetString()!));
            }

            return (id, ReadOnlyMemory<byte>.Empty);
        }
        catch (JsonException)
        {
            return (null, raw);
        }
    }

    private async Task PublishAsync(string topic, string payload, bool retain, CancellationToken ct)
    {
        await _publishGate.WaitAsync(ct);
        try
        {
            await PublishCoreAsync(topic, payload, retain, ct);
        }
        finally
        {
            _publishGate.Release();
        }
    }

    private async Task PublishCoreAsync(string topic, string payload, bool retain, CancellationToken ct)
    {
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(retain)
            .Build();
        var result = await _client.PublishAsync(message, ct);
        if (!result.IsSuccess)
        {
            throw new InvalidOperationException($"fleet broker refused {topic}: {result.ReasonCode} {result.ReasonString}");
        }
    }

    private void Report(string? problem)
    {
        if (problem == _problem)
        {
            return;
        }

        var was = _problem;
        _problem = problem;
        var now = _time.GetUtcNow();
        if (problem is not null && was is null)
        {
            _connectionLostAt = now;
        }

        if (problem is null && _connectionLostAt is { } lost)
        {
            var outage = (now - lost).Ticks;
            if (outage > Interlocked.Read(ref _longestOutageTicks))
            {
                Interlocked.Exchange(ref _longestOutageTicks, outage);
            }

            _connectionLostAt = null;
        }

        if (problem is null)
        {
            _logger.FleetConnected(Broker.Host, Broker.Port, _identity.SiteId);
        }
        else if (was is null || Connections == 0)
        {
            _logger.FleetUnreachable(problem);
        }

        _health?.Invoke(problem);
    }

    private async Task GoOfflineAsync()
    {
        if (!_client.IsConnected)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await PublishAsync(Topics.Availability, "offline", retain: true, timeout.Token);
        }
#pragma warning disable CA1031 // Going offline is best effort: the last will says the same.
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        await DisconnectQuietlyAsync();
    }

    private async Task DisconnectQuietlyAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), timeout.Token);
        }
#pragma warning disable CA1031 // Best effort: the socket may already be gone.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        _publishGate.Dispose();
        return ValueTask.CompletedTask;
    }
}
