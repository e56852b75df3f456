using System.Collections.Concurrent;
using System.Net;
using EdgeEnergy.Adapters.Modbus.Relays;
using EdgeEnergy.Simulation;
using EdgeEnergy.Adapters.Modbus.Transport;
using EdgeEnergy.Control;
using EdgeEnergy.Control.Supervision;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Status;
using EdgeEnergy.Host.Composition;
using EdgeEnergy.Optimiser;
using EdgeEnergy.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeEnergy.Host.Tests.Supervision;

/// <summary>Immersion relays as Modbus coils on a relay board served on loopback Modbus TCP, switched per the plan.</summary>
public sealed class ImmersionRelayTests : IAsyncLifetime, IAsyncDisposable
{
    private bool _disposed;

    private static readonly DateTimeOffset s_start = new(2026, 11, 27, 2, 0, 0, TimeSpan.Zero);
    private static readonly ImmersionOptions s_tank = new() { Id = "tank", PowerKw = 3 };
    private readonly CoilBank _board = new();
    private readonly Replans _replans = new();
    private readonly InMemoryAuditLog _audit = new();
    private ModbusTcpServer _server = null!;
    private ModbusBusLease _lease = null!;

    public Task InitializeAsync()
    {
        _server = new ModbusTcpServer(new ModbusServerCore(new Dictionary<byte, IModbusRegisterBank> { [1] = _board }), new IPEndPoint(IPAddress.Loopback, 0));
        _server.Start();
        var address = ModbusRelayAddress.Parse($"modbus://127.0.0.1:{_server.LocalEndpoint.Port}?unit=1&coil=3", "Site:Immersions:0:Relay");
        _lease = new ModbusBusRegistry(TimeProvider.System).Acquire(address.Endpoint, new ModbusBusOptions { InterRequestGap = TimeSpan.Zero, Retries = 0 });
        Relay = new ModbusCoilRelay(new ModbusClient(_lease.Bus, address.Unit), address.Coil);
        return Task.CompletedTask;
    }

    ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());

    public async Task DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _lease.DisposeAsync();
        await _server.DisposeAsync();
    }

    private ModbusCoilRelay Relay { get; set; } = null!;

    /// <summary>A solved plan whose first slot heats the tank (1.5 kWh) and whose others heat nothing.</summary>
    private static ActivePlan HeatingFirstSlot()
    {
        var problem = PlanProblems.Small([5, 5, 40, 40], socKwh: 2) with { Start = s_start };
        var plan = new OrToolsScheduleOptimiser().Solve(problem);
        plan = plan with { Slots = [.. plan.Slots.Select((s, i) => s with { ImmersionKwh = new Dictionary<string, double> { ["tank"] = i == 0 ? 1.5 : 0 } })] };
        return new ActivePlan(problem, plan, s_start);
    }

    private ImmersionSwitcher Switcher() => new([new ImmersionRelay(s_tank, Relay)], _audit, _replans, NullLogger.Instance);

    [Fact]
    public async Task The_coil_follows_set_and_reads_back_over_FC05_and_FC01()
    {
        await Relay.SetAsync(true, CancellationToken.None);
        Assert.True(_board.Coils[3]);
        Assert.True(await Relay.GetAsync(CancellationToken.None));
        await Relay.SetAsync(false, CancellationToken.None);
        Assert.False(_board.Coils[3]);
        Assert.False(await Relay.GetAsync(CancellationToken.None));
        Assert.DoesNotContain(true, _board.Coils);
    }

    [Fact]
    public async Task The_relay_is_on_while_the_slot_plans_heat_and_off_after_it()
    {
        var plan = HeatingFirstSlot();
        var switcher = Switcher();
        await switcher.StepAsync(s_start.AddMinutes(1), plan, followingPlan: true, loadW: 400, CancellationToken.None);
        Assert.True(_board.Coils[3]);
        await switcher.StepAsync(s_start.AddMinutes(2), plan, followingPlan: true, loadW: 3400, CancellationToken.None);
        Assert.True(_board.Coils[3]);
        await switcher.StepAsync(s_start.AddMinutes(31), plan, followingPlan: true, loadW: 3400, CancellationToken.None);
        Assert.False(_board.Coils[3]);
        Assert.Equal(["relay on", "relay off"], _audit.Entries.Select(e => e.Command));
        Assert.Contains("1.50 kWh", _audit.Entries.First().Reason);
        Assert.Empty(_replans.Triggers);
    }

    [Fact]
    public async Task No_plan_or_the_fallback_rules_in_charge_switch_the_heater_off()
    {
        var plan = HeatingFirstSlot();
        var switcher = Switcher();
        await switcher.StepAsync(s_start.AddMinutes(1), plan, followingPlan: true, loadW: 400, CancellationToken.None);
        Assert.True(_board.Coils[3]);
        await switcher.StepAsync(s_start.AddMinutes(2), plan, followingPlan: false, loadW: 3400, CancellationToken.None);
        Assert.False(_board.Coils[3]);
        Assert.Equal("no plan to follow", _audit.Entries.Last().Reason);

        _board.Coils[3] = true; // someone else turned it on: the first poll of a new switcher sets it whatever it holds
        await Switcher().StepAsync(s_start.AddMinutes(3), null, followingPlan: false, loadW: 400, CancellationToken.None);
        Assert.False(_board.Coils[3]);
    }

    [Fact]
    public async Task A_satisfied_thermostat_turns_the_relay_off_for_the_day_and_asks_for_a_replan()
    {
        var plan = HeatingFirstSlot();
        var switcher = Switcher();
        await switcher.StepAsync(s_start.AddMinutes(1), plan, true, 400, CancellationToken.None); // on; load before 400 W
        await switcher.StepAsync(s_start.AddMinutes(2), plan, true, 3350, CancellationToken.None); // heating: +2950 W
        await switcher.StepAsync(s_start.AddMinutes(3), plan, true, 700, CancellationToken.None); // +300 W < 30% of 3 kW: 1
        Assert.True(_board.Coils[3]);
        await switcher.StepAsync(s_start.AddMinutes(4), plan, true, 3300, CancellationToken.None); // heating again: count resets
        await switcher.StepAsync(s_start.AddMinutes(5), plan, true, 650, CancellationToken.None); // 1
        Assert.True(_board.Coils[3]);
        await switcher.StepAsync(s_start.AddMinutes(6), plan, true, 600, CancellationToken.None); // 2: tank hot
        Assert.False(_board.Coils[3]);
        Assert.Equal([PlanningTrigger.ForecastMiss], _replans.Triggers);
        Assert.Contains("thermostat satisfied", _audit.Entries.Last().Reason);
        Assert.Equal(DateOnly.FromDateTime(s_start.UtcDateTime), switcher.SatisfiedOn["tank"]);

        // Still planned this slot, but the tank is hot: it stays off.
        await switcher.StepAsync(s_start.AddMinutes(7), plan, true, 500, CancellationToken.None);
        Assert.False(_board.Coils[3]);
        Assert.Equal(2, _audit.Entries.Count);
    }

    [Fact]
    public async Task A_boost_heats_whatever_the_plan_until_it_ends_or_the_thermostat_opens()
    {
        var switcher = Switcher();
        Assert.Throws<ArgumentException>(() => switcher.Boost("no_such_tank", s_start.AddHours(1)));
        switcher.Boost("tank", s_start.AddMinutes(60));
        await switcher.StepAsync(s_start.AddMinutes(1), null, followingPlan: false, loadW: 400, CancellationToken.None);
        Assert.True(_board.Coils[3]);
        Assert.True(switcher.IsOn("tank"));
        Assert.Contains("boost until", _audit.Entries.Last().Reason);
        await switcher.StepAsync(s_start.AddMinutes(30), null, false, 3400, CancellationToken.None);
        Assert.True(_board.Coils[3]);
        await switcher.StepAsync(s_start.AddMinutes(60), null, false, 3400, CancellationToken.None);
        Assert.False(_board.Coils[3]);
        Assert.Null(switcher.BoostUntil("tank"));

        // A boost on a hot tank: two polls with no load rise end it.
        switcher.Boost("tank", s_start.AddMinutes(180));
        await switcher.StepAsync(s_start.AddMinutes(61), null, false, 400, CancellationToken.None);
        await switcher.StepAsync(s_start.AddMinutes(62), null, false, 420, CancellationToken.None);
        Assert.True(_board.Coils[3]);
        await switcher.StepAsync(s_start.AddMinutes(63), null, false, 410, CancellationToken.None);
        Assert.False(_board.Coils[3]);
        Assert.Null(switcher.BoostUntil("tank"));
    }

    [Theory]
    [InlineData("tcp://127.0.0.1:502?unit=1&coil=0", "is not a relay address")]
    [InlineData("modbus://127.0.0.1:502?coil=0", "needs both unit= and coil=")]
    [InlineData("modbus://127.0.0.1:502?unit=0&coil=0", "unit '0' must be 1-247")]
    [InlineData("modbus://127.0.0.1:502?unit=1&coil=70000", "coil '70000' must be 0-65535")]
    [InlineData("homeassistant://Immersion Switch", "expected homeassistant://switch.immersion")]
    public void Bad_relay_addresses_are_refused_at_start_naming_the_key(string relay, string problem)
    {
        var site = new SiteOptions { Immersions = [new ImmersionOptions { Id = "tank", Relay = relay }] };
        var message = Assert.Single(ImmersionRelayRegistration.RelayProblems(site));
        Assert.Contains("Site:Immersions:0:Relay", message);
        Assert.Contains(problem, message);
    }

    /// <summary>A relay board: 16 coils, FC01/FC05/FC15; no registers.</summary>
    internal sealed class CoilBank : IModbusRegisterBank
    {
        public bool[] Coils { get; } = new bool[16];

        public ModbusExceptionCode? ReadRegisters(ModbusFunction functionCode, int address, Span<ushort> values) => ModbusExceptionCode.IllegalFunction;

        public ModbusExceptionCode? WriteRegisters(int address, ReadOnlySpan<ushort> values, bool singleWrite) => ModbusExceptionCode.IllegalFunction;

        public ModbusExceptionCode? ReadBits(ModbusFunction functionCode, int address, Span<bool> values)
        {
            if (functionCode != ModbusFunction.ReadCoils || address < 0 || address + values.Length > Coils.Length)
            {
                return functionCode != ModbusFunction.ReadCoils ? ModbusExceptionCode.IllegalFunction : ModbusExceptionCode.IllegalDataAddress;
            }

            Coils.AsSpan(address, values.Length).CopyTo(values);
            return null;
        }

        public ModbusExceptionCode? WriteBits(int address, ReadOnlySpan<bool> values)
        {
            if (address < 0 || address + values.Length > Coils.Length)
            {
                return ModbusExceptionCode.IllegalDataAddress;
            }

            values.CopyTo(Coils.AsSpan(address));
            return null;
        }
    }

    private sealed class Replans : IReplanRequester
    {
        public ConcurrentQueue<PlanningTrigger> Triggers { get; } = new();

        public Task RequestReplanAsync(PlanningTrigger trigger, CancellationToken cancellationToken)
        {
            Triggers.Enqueue(trigger);
            return Task.CompletedTask;
        }
    }
}
