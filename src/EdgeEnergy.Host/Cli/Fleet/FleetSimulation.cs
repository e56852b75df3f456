using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeEnergy.Adapters.Mqtt.Fleet;
using EdgeEnergy.Domain.UserOverrides;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace EdgeEnergy.Host.Cli.Fleet;

/// <summary>What <c>fleet simulate</c> runs: how many homes, where, how long, how often.</summary>
internal sealed record FleetSimulationSettings(
    int Homes, IReadOnlyList<(string Host, int Port)> Brokers, TimeSpan Duration, TimeSpan StateWindow, TimeSpan CommandInterval,
    int RefuseEvery, TimeSpan ResendAfter, TimeSpan Drain);

/// <summary>
/// <c>edgeenergy fleet simulate</c> (issue 21 §3): N simulated homes, each a real <see cref="FleetMqttLink"/> (the
/// appliance's publishing, queue and command handling) over a <see cref="SimulatedHome"/>, spread over the brokers
/// (home i starts on broker i mod B and fails over to the others in turn). The fleet side is one MQTT client on the
/// first broker: it checks every home's state sequence numbers, and every <c>CommandInterval</c> sends every home a
/// command (alternately an override that is valid and a reserve below the hard limit), re-sending an unanswered one
/// (same id) every <c>ResendAfter</c>, and checks each answer against what the home must say. After
/// <c>Duration</c> the commands stop; the homes get <c>Drain</c> to empty their queues and answer, then stop.
/// </summary>
internal sealed class FleetSimulation(FleetSimulationSettings settings, TextWriter progress, TimeProvider time)
{
    private static readonly OverrideLimits s_limits = new() { MinReserveSocPercent = 10, MaxReserveSocPercent = 100 };

    private readonly ConcurrentDictionary<string, ConcurrentDictionary<long, int>> _seen = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PendingCommand> _commands = new(StringComparer.Ordinal);
    private long _wrongAnswers;
    private long _resends;
    private long _stateMessages;

    /// <summary>A command sent; its times are <see cref="TimeProvider.GetTimestamp"/> values (0: not answered yet).</summary>
    private sealed class PendingCommand(string siteId, string topic, string payload, bool expectAccepted, long sentAt)
    {
        public string SiteId { get; } = siteId;
        public string Topic { get; } = topic;
        public string Payload { get; } = payload;
        public bool ExpectAccepted { get; } = expectAccepted;
        public long SentAt { get; } = sentAt;
        public long LastSentAt { get; set; } = sentAt;
        public long AnsweredAt { get; set; }
        public string? Result { get; set; }
    }

    public async Task<JsonObject> RunAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        TimeSpan Elapsed() => time.GetElapsedTime(started);
        var homes = new List<(string SiteId, SimulatedHome Home, FleetMqttLink Link, bool Accepts)>();
        using var stopHomes = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var runs = new List<Task>();
        using var fleet = new MqttClientFactory().CreateMqttClient();
        fleet.ApplicationMessageReceivedAsync += e =>
        {
            OnFleetMessage(e.ApplicationMessage.Topic, e.ApplicationMessage.Payload, time.GetTimestamp());
            return Task.CompletedTask;
        };
        var (fleetHost, fleetPort) = settings.Brokers[0];
        await fleet.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(fleetHost, fleetPort).WithProtocolVersion(MqttProtocolVersion.V311)
            .WithClientId($"edgeenergy-fleet-simulator-{Guid.NewGuid().ToString("N")[..12]}").WithCleanSession().WithKeepAlivePeriod(TimeSpan.FromSeconds(30))
            .WithTimeout(TimeSpan.FromSeconds(30)).Build(), cancellationToken);
        await fleet.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter("edgeenergy/fleet/+/state", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter("edgeenergy/fleet/+/result", MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancellationToken);

        try
        {
            for (var i = 0; i < settings.Homes; i++)
            {
                var siteId = $"sim-{i:D5}";
                var options = new FleetMqttOptions
                {
                    UseTls = false,
                    StateIntervalSeconds = settings.StateWindow.TotalSeconds,
                    SampleSeconds = Math.Max(0.2, settings.StateWindow.TotalSeconds / 5),
                    ConnectionCheckSeconds = 1,
                    KeepAliveSeconds = 15,
                    QueueLimit = 100_000,
                };
                var b = settings.Brokers.Count;
                (options.Host, options.Port) = settings.Brokers[i % b];
                for (var k = 1; k < b; k++)
                {
                    var (h, p) = settings.Brokers[(i + k) % b];
                    options.FailoverBrokers.Add($"{h}:{p}");
                }

                var accepts = settings.RefuseEvery <= 0 || i % settings.RefuseEvery != settings.RefuseEvery - 1;
                var home = new SimulatedHome(i, s_limits, time);
                var link = new FleetMqttLink(options, new FleetIdentity(siteId, AcceptCommands: accepts), home, home, s_limits, audit: null, time, NullLogger.Instance);
                homes.Add((siteId, home, link, accepts));
                _seen[siteId] = new ConcurrentDictionary<long, int>();
                runs.Add(Task.Run(() => link.RunAsync(stopHomes.Token), CancellationToken.None));
            }

            // Connected is not enough: a home takes commands once its subscription is acknowledged (Connections counts a
            // connection when the subscribe and the availability message are through). A command sent before that is
            // dropped by the broker and only answered after a re-send: a start-up artifact, not the fleet's latency.
            static bool Ready(FleetMqttLink link) => link.IsConnected && link.Connections > 0;
            await WaitAsync(() => homes.All(h => Ready(h.Link)), TimeSpan.FromSeconds(60), cancellationToken);
            await progress.WriteLineAsync($"fleet simulate: {homes.Count(h => Ready(h.Link))}/{settings.Homes} homes connected and subscribed after {Elapsed().TotalSeconds:0.0} s");
            var start = Elapsed();

            // Commands, one round every CommandInterval until Duration, re-sending unanswered ones.
            var round = 0;
            var nextRound = TimeSpan.Zero;
            while (Elapsed() - start < settings.Duration && !cancellationToken.IsCancellationRequested)
            {
                if (Elapsed() - start >= nextRound)
                {
                    var valid = round % 2 == 0;
                    var sends = homes.Select(h =>
                    {
                        var id = $"r{round}-{h.SiteId}";
                        var topic = valid ? $"edgeenergy/fleet/{h.SiteId}/cmd/override_mode" : $"edgeenergy/fleet/{h.SiteId}/cmd/reserve_soc";
                        var payload = new JsonObject { ["id"] = id, ["payload"] = valid ? "force-charge" : "5" }.ToJsonString();
                        var command = new PendingCommand(h.SiteId, topic, payload, valid && h.Accepts, time.GetTimestamp());
                        _commands[id] = command;
                        return command;
                    }).ToList();
                    await SendAsync(fleet, sends, cancellationToken);
                    round++;
                    nextRound += settings.CommandInterval;
                }

                await ResendAsync(fleet, cancellationToken);
                await Task.Delay(TimeSpan.FromMilliseconds(250), time, cancellationToken);
            }

            await progress.WriteLineAsync($"fleet simulate: {round} command rounds sent; draining");
            var drainUntil = Elapsed() + settings.Drain;
            while (Elapsed() < drainUntil && !cancellationToken.IsCancellationRequested
                && (homes.Any(h => h.Link.Queued > 0 || !h.Link.IsConnected) || _commands.Values.Any(c => c.AnsweredAt == 0) || !AllSeen(homes)))
            {
                await ResendAsync(fleet, cancellationToken);
                await Task.Delay(TimeSpan.FromMilliseconds(250), time, cancellationToken);
            }

            return Report(homes.Select(h => (h.SiteId, h.Link, h.Accepts)).ToList(), Elapsed() - start);
        }
        finally
        {
            await stopHomes.CancelAsync();
            await Task.WhenAll(runs).WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            foreach (var (_, home, link, _) in homes)
            {
                await link.DisposeAsync();
                home.Dispose();
            }

            try
            {
                await fleet.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), CancellationToken.None);
            }
            catch (MQTTnet.Exceptions.MqttCommunicationException)
            {
            }
        }
    }

    private bool AllSeen(List<(string SiteId, SimulatedHome Home, FleetMqttLink Link, bool Accepts)> homes) =>
        homes.All(h => _seen[h.SiteId].Count >= h.Link.StateAcknowledged || _seen[h.SiteId].Count >= h.Link.StateProduced);

    private void OnFleetMessage(string topic, ReadOnlySequence<byte> payload, long ticks)
    {
        var parts = topic.Split('/');
        if (parts.Length != 4)
        {
            return;
        }

        using var doc = JsonDocument.Parse(Encoding.UTF8.GetString(payload.ToArray()));
        var root = doc.RootElement;
        if (parts[3] == "state" && _seen.TryGetValue(parts[2], out var seqs))
        {
            Interlocked.Increment(ref _stateMessages);
            seqs.AddOrUpdate(root.GetProperty("seq").GetInt64(), 1, (_, n) => n + 1);
        }
        else if (parts[3] == "result" && root.TryGetProperty("id", out var idElement) && idElement.GetString() is { } id && _commands.TryGetValue(id, out var command))
        {
            var result = root.GetProperty("result").GetString();
            lock (command)
            {
                if (command.AnsweredAt != 0)
                {
                    return; // the answer to a re-send
                }

                command.AnsweredAt = ticks;
                command.Result = result;
            }

            var reason = root.TryGetProperty("reason", out var r) ? r.GetString() : null;
            var right = command.ExpectAccepted ? result == "accepted" : result == "rejected" && !string.IsNullOrWhiteSpace(reason);
            if (!right)
            {
                Interlocked.Increment(ref _wrongAnswers);
            }
        }
    }

    private static async Task SendAsync(IMqttClient fleet, IReadOnlyList<PendingCommand> commands, CancellationToken ct)
    {
        foreach (var chunk in commands.Chunk(200))
        {
            await Task.WhenAll(chunk.Select(async c =>
            {
                try
                {
                    await fleet.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(c.Topic).WithPayload(c.Payload)
                        .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);
                }
                catch (MQTTnet.Exceptions.MqttCommunicationException)
                {
                    // Not acknowledged: the re-send picks it up.
                }
            }));
        }
    }

    private async Task ResendAsync(IMqttClient fleet, CancellationToken ct)
    {
        var now = time.GetTimestamp();
        var due = _commands.Values.Where(c => c.AnsweredAt == 0 && time.GetElapsedTime(c.LastSentAt, now) >= settings.ResendAfter).ToList();
        foreach (var c in due)
        {
            c.LastSentAt = now;
        }

        if (due.Count > 0)
        {
            Interlocked.Add(ref _resends, due.Count);
            await SendAsync(fleet, due, ct);
        }
    }

    private JsonObject Report(List<(string SiteId, FleetMqttLink Link, bool Accepts)> homes, TimeSpan ran)
    {
        long produced = 0, received = 0, lost = 0, duplicates = 0, dropped = 0, gapsHomes = 0;
        foreach (var (siteId, link, _) in homes)
        {
            var seqs = _seen[siteId];
            var made = link.StateProduced;
            produced += made;
            dropped += link.StateDropped;
            var distinct = seqs.Keys.Count(k => k >= 1 && k <= made);
            received += distinct;
            var missing = made - distinct;
            lost += missing;
            gapsHomes += missing > 0 ? 1 : 0;
            duplicates += seqs.Values.Sum(n => n - 1);
        }

        var answered = _commands.Values.Where(c => c.AnsweredAt != 0).ToList();
        var latencies = answered.Select(c => time.GetElapsedTime(c.SentAt, c.AnsweredAt).TotalMilliseconds).Order().ToList();
        var outages = homes.Where(h => h.Link.Connections > 1).Select(h => h.Link.LongestOutage.TotalSeconds).Order().ToList();
        return new JsonObject
        {
            ["homes"] = homes.Count,
            ["brokers"] = string.Join(',', settings.Brokers.Select(b => $"{b.Host}:{b.Port}")),
            ["seconds"] = Math.Round(ran.TotalSeconds, 1),
            ["stateWindowSeconds"] = settings.StateWindow.TotalSeconds,
            ["state"] = new JsonObject
            {
                ["produced"] = produced,
                ["received"] = received,
                ["lost"] = lost,
                ["homesWithGaps"] = gapsHomes,
                ["duplicates"] = duplicates,
                ["droppedFromFullQueue"] = dropped,
                ["messagesAtSubscriber"] = Interlocked.Read(ref _stateMessages),
            },
            ["commands"] = new JsonObject
            {
                ["sent"] = _commands.Count,
                ["answered"] = answered.Count,
                ["unanswered"] = _commands.Count - answered.Count,
                ["accepted"] = answered.Count(c => c.Result == "accepted"),
                ["refused"] = answered.Count(c => c.Result == "rejected"),
                ["wrongAnswers"] = Interlocked.Read(ref _wrongAnswers),
                ["resends"] = Interlocked.Read(ref _resends),
                ["latencyMs"] = new JsonObject
                {
                    ["p50"] = Percentile(latencies, 0.50),
                    ["p99"] = Percentile(latencies, 0.99),
                    ["max"] = latencies.Count == 0 ? null : Math.Round(latencies[^1], 1),
                },
            },
            ["reconnects"] = new JsonObject
            {
                ["homes"] = outages.Count,
                ["outageSecondsP50"] = Percentile(outages, 0.50),
                ["outageSecondsMax"] = outages.Count == 0 ? null : Math.Round(outages[^1], 2),
            },
            ["ok"] = lost == 0 && answered.Count == _commands.Count && Interlocked.Read(ref _wrongAnswers) == 0,
        };
    }

    private static double? Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? null : Math.Round(sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)], 2);

    private async Task WaitAsync(Func<bool> condition, TimeSpan timeout, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        while (!condition() && time.GetElapsedTime(started) < timeout)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), time, ct);
        }
    }

    /// <summary>Parses <c>host:port[,host:port...]</c>.</summary>
    public static IReadOnlyList<(string Host, int Port)>? ParseBrokers(string text)
    {
        var list = new List<(string, int)>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!FleetMqttOptions.TryParseBroker(part, out var host, out var port))
            {
                return null;
            }

            list.Add((host, port));
        }

        return list.Count == 0 ? null : list;
    }

}
