using System.Text.Json;
using EdgeEnergy.Testing;
using EdgeEnergy.Testing.Mqtt;

namespace EdgeEnergy.Host.Tests;

/// <summary>
/// <c>edgeenergy fleet simulate</c>, the short form of issue 21 §3's load test: 50 homes against a real 3-node RabbitMQ
/// cluster for 24 s, node 3 killed 8 s in; no state message may be lost and every command must be answered as the
/// home must answer it (accepted, or refused with a reason).
/// </summary>
public sealed class FleetSimulateCommandTests
{
    [Fact]
    public async Task Fifty_homes_lose_no_state_and_answer_every_command_when_a_node_dies()
    {
        await using var cluster = await RabbitMqCluster.StartAsync(3);
        Assert.Equal(3, (await cluster.RunningNodesAsync()).Count);

        var run = CliRunner.RunAsync(
            ["fleet", "simulate", "--homes", "50", "--broker", cluster.BrokerList, "--minutes", "0.4", "--state-seconds", "2", "--command-seconds", "4", "--drain-seconds", "30"],
            timeout: TimeSpan.FromSeconds(150));
        await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(8)));
        Assert.False(run.IsCompleted, "the simulation ended before the node was killed");
        cluster.KillNode(2);
        Assert.Equal(2, (await cluster.RunningNodesAsync()).Count);
        var result = await run;

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}\n{result.Stdout}\n{result.Stderr}");
        var report = JsonDocument.Parse(result.Stdout).RootElement;
        var state = report.GetProperty("state");
        var commands = report.GetProperty("commands");
        Assert.Equal(50, report.GetProperty("homes").GetInt32());
        Assert.Equal(0, state.GetProperty("lost").GetInt64());
        Assert.True(state.GetProperty("produced").GetInt64() >= 50 * 10, result.Stdout); // 2 s windows for 24 s and more
        Assert.Equal(state.GetProperty("produced").GetInt64(), state.GetProperty("received").GetInt64());
        Assert.Equal(0, commands.GetProperty("unanswered").GetInt64());
        Assert.Equal(0, commands.GetProperty("wrongAnswers").GetInt64());
        Assert.True(commands.GetProperty("sent").GetInt64() >= 50 * 6, result.Stdout); // a round every 4 s for 24 s
        Assert.True(commands.GetProperty("accepted").GetInt64() > 0 && commands.GetProperty("refused").GetInt64() > 0, result.Stdout);
        // The homes that started on node 3 (every third) moved to another node.
        Assert.True(report.GetProperty("reconnects").GetProperty("homes").GetInt32() >= 50 / 3, result.Stdout);
        Assert.True(report.GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task A_broker_list_that_is_not_host_port_is_bad_input()
    {
        var result = await CliRunner.RunAsync(["fleet", "simulate", "--homes", "5", "--broker", "127.0.0.1"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--broker '127.0.0.1' must be HOST:PORT", result.Stderr, StringComparison.Ordinal);
    }
}
