using System.Globalization;
using System.Net;
using System.Text;
using EdgeEnergy.Adapters.Modbus.FoxEss;
using EdgeEnergy.Control.Supervision;
using EdgeEnergy.Domain.Control;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Domain.Status;
using EdgeEnergy.Host.Appliance;
using EdgeEnergy.Host.Data;
using EdgeEnergy.Simulation;
using EdgeEnergy.Testing;
using EdgeEnergy.Testing.Mqtt;
using EdgeEnergy.Testing.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace EdgeEnergy.Soak;

/// <summary>How a soak run is set up.</summary>
/// <param name="DataParent">Where the run's data folder is made (null: the temp folder).</param>
/// <param name="Faults">The faults to inject (null: a seeded random schedule over the days).</param>
/// <param name="Minutes">How long the run is (null: the days).</param>
internal sealed record SoakSettings(DateTimeOffset StartUtc, int Days, int Seed, string? DataParent = null, IReadOnlyList<Fault>? Faults = null, int? Minutes = null)
{
    public int TotalMinutes => Minutes ?? Days * 24 * 60;

    public const int PollSeconds = 60;
    public const int RemoteTimeoutSeconds = 120;
    public const int PlanningMinutes = 15;
    public const int PriceCheckMinutes = 5;
    public const int RetentionHours = 6;
    public const double MaxChargeKw = 3;
    public const double MaxDischargeKw = 3;
    public const double ReservePercent = 20;
    public const double MinSocPercent = 10;
    public const int PersistentWriteBudgetPerDay = 48;
}

/// <summary>One minute that was not in control, and why.</summary>
internal sealed record Lapse(DateTimeOffset MinuteUtc, string What, IReadOnlyList<FaultKind> ActiveFaults);

/// <summary>What a soak run measured.</summary>
internal sealed class SoakResult
{
    public required IReadOnlyList<Fault> Faults { get; init; }
    public int Minutes { get; set; }
    public List<Lapse> Lapses { get; } = [];
    public Dictionary<FaultKind, (int Minutes, int InControl)> ByKind { get; } = [];
    public int CleanMinutes { get; set; }
    public int CleanInControl { get; set; }
    public List<string> HardLimitBreaches { get; } = [];
    public int MaxPersistentWritesPerDay { get; set; }
    public int MaxPersistentRegisterWritesPerDay { get; set; }
    public int PriceChecks { get; set; }
    public List<string> MissingPriceSlots { get; } = [];
    public int TelemetryMinutesMissing { get; set; }
    public int TelemetryMinutesUnreachable { get; set; }
    public List<string> TelemetryGaps { get; } = [];
    /// <summary>Minutes held in memory while the disk was full and lost when the service was killed before it had room again.</summary>
    public int TelemetryMinutesLostHeldAtKill { get; set; }
    /// <summary>Minutes /healthz showed the telemetry history degraded (its writes failing), and bytes the filler took each time.</summary>
    public int TelemetryHistoryDegradedMinutes { get; set; }
    public List<long> DiskFillerBytes { get; } = [];
    public List<string> AbsurdTelemetryStored { get; } = [];
    public List<string> Restarts { get; } = [];
    public List<string> IntegrityFailures { get; } = [];
    public List<string> RowsLost { get; } = [];
    public int PlanningRuns { get; set; }
    public Dictionary<string, int> DecisionSources { get; } = [];
    public long PlansStored { get; set; }
    public int PriceFetches { get; set; }
    public int ModbusWritesCut { get; set; }
    public TimeSpan Wall { get; set; }

    /// <summary>Telemetry minutes whose row the stepped wall clock (<see cref="FaultKind.ClockStep"/>) put elsewhere, or
    /// whose stamp a stepped minute took, or that fell behind rows already stored after a step back: counted apart from
    /// <see cref="TelemetryMinutesMissing"/>, whether or not a row is there, and listed in <see cref="TelemetryClockSteppedRanges"/>.</summary>
    public int TelemetryMinutesClockStepped { get; set; }
    public List<string> TelemetryClockSteppedRanges { get; } = [];

    /// <summary>Committed telemetry rows that a later write replaced with other values or that disappeared, checked around every wall-clock step.</summary>
    public List<string> TelemetryRowsOverwritten { get; } = [];
    public int ClockStepRowsChecked { get; set; }

    public double InControlShare => Minutes == 0 ? 0 : (Minutes - Lapses.Count) / (double)Minutes;
}

/// <summary>
/// The soak: the real appliance (<see cref="ApplianceHost.Build"/>, every service on one <see cref="FakeTimeProvider"/>)
/// against a simulated Fox served over loopback Modbus TCP through a fault-injecting cable (<see cref="ModbusLink"/>), a
/// real Mosquitto, SQLite in a temp folder and an Octopus-shaped price server, minute by minute through the fault
/// schedule. The Quartz jobs do not run on the fake clock (Quartz keeps its own clock), so the soak runs their bodies at
/// their schedule itself, and the control loop's poll too (<see cref="SoakHost"/>).
/// </summary>
internal sealed class SoakRun : IAsyncDisposable
{
    private static readonly TimeSpan s_pumpStep = TimeSpan.FromMilliseconds(250);
    private readonly SoakSettings _settings;
    private readonly FakeTimeProvider _clock;
    private readonly SteppedClock _wallClock;
    private readonly string _data;
    private readonly SoakInverter _inverter;
    private readonly ModbusTcpServer _modbus;
    private readonly ModbusLink _link;
    private readonly OctopusFeed _feed;
    private readonly IReadOnlyList<Fault> _faults;
    private readonly TextWriter _log;
    private MosquittoBroker _broker = null!;
    private SoakHost? _host;
    private SoakDisk? _disk;
    /// <summary>Hours whose telemetry is still to be checked: an hour a full disk covered waits until the disk has had room for two minutes.</summary>
    private readonly Queue<(int First, int Last)> _telemetryHours = new();

    public SoakRun(SoakSettings settings, TextWriter log)
    {
        _settings = settings;
        _log = log;
        _data = Path.Combine(settings.DataParent ?? Path.GetTempPath(), $"edgeenergy-soak-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_data);
        _clock = new FakeTimeProvider(settings.StartUtc);
        _wallClock = new SteppedClock(_clock);
        _inverter = new SoakInverter(FoxRegisterMap.Embedded.Families["h1-g2"], _clock, new SimulatedFoxEssOptions
        {
            CapacityKwh = 10.4, InitialSocPercent = 50, MaxBatteryPowerW = SoakSettings.MaxChargeKw * 1000,
        });
        _modbus = new ModbusTcpServer(new ModbusServerCore(new Dictionary<byte, IModbusRegisterBank> { [247] = _inverter }), new IPEndPoint(IPAddress.Loopback, 0));
        _modbus.Start();
        _link = new ModbusLink(_modbus.LocalEndpoint.Port);
        _feed = new OctopusFeed(settings.StartUtc.AddDays(-8), settings.StartUtc.AddDays(settings.Days + 3), settings.Seed);
        _faults = settings.Faults ?? FaultSchedule.WithClockSteps(FaultSchedule.Create(settings.Days, settings.Seed), settings.StartUtc, settings.Days, settings.Seed);
    }

    private string DatabasePath => Path.Combine(_data, "edgeenergy.db");

    private IConfiguration Configuration() => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Inverter:Endpoint"] = $"tcp://127.0.0.1:{_link.Port}",
        ["Inverter:Family"] = "h1-g2",
        ["Inverter:Unit"] = "247",
        ["Inverter:SettleAfterConnectMilliseconds"] = "0",
        ["Inverter:InterRequestGapMilliseconds"] = "0",
        ["Inverter:RemoteTimeoutSeconds"] = SoakSettings.RemoteTimeoutSeconds.ToString(CultureInfo.InvariantCulture),
        ["Inverter:PersistentWriteBudgetPerDay"] = SoakSettings.PersistentWriteBudgetPerDay.ToString(CultureInfo.InvariantCulture),
        ["Storage:Path"] = DatabasePath,
        ["Http:Urls"] = $"http://127.0.0.1:{FreeTcpPort.Next()}",
        ["Mqtt:Host"] = MosquittoBroker.Host,
        ["Mqtt:Port"] = _broker.Port.ToString(CultureInfo.InvariantCulture),
        ["Octopus:BaseUrl"] = _feed.BaseUrl.ToString(),
        ["Octopus:ImportProduct"] = OctopusFeed.ImportProduct,
        ["Octopus:ExportProduct"] = OctopusFeed.ExportProduct,
        ["Octopus:Region"] = OctopusFeed.Region,
        ["Octopus:PageSize"] = "48",
        ["Octopus:BackfillDays"] = "2",
        ["Octopus:RetryAttempts"] = "1",
        ["Octopus:RetryBaseDelay"] = "00:00:01",
        ["Octopus:Timeout"] = "00:00:10",
        ["Site:BatteryCapacityKwh"] = "10.4",
        ["Site:BatteryMaxChargeKw"] = SoakSettings.MaxChargeKw.ToString(CultureInfo.InvariantCulture),
        ["Site:BatteryMaxDischargeKw"] = SoakSettings.MaxDischargeKw.ToString(CultureInfo.InvariantCulture),
        ["Site:BatteryMinSocPercent"] = SoakSettings.MinSocPercent.ToString(CultureInfo.InvariantCulture),
        ["Site:ReserveSocPercent"] = SoakSettings.ReservePercent.ToString(CultureInfo.InvariantCulture),
        ["Control:PollSeconds"] = SoakSettings.PollSeconds.ToString(CultureInfo.InvariantCulture),
        ["Scheduling:PlanningMinutes"] = SoakSettings.PlanningMinutes.ToString(CultureInfo.InvariantCulture),
        ["Scheduling:PriceCheckMinutes"] = SoakSettings.PriceCheckMinutes.ToString(CultureInfo.InvariantCulture),
        ["Scheduling:RetentionHours"] = SoakSettings.RetentionHours.ToString(CultureInfo.InvariantCulture),
    }).Build();

    public async Task<SoakResult> RunAsync(CancellationToken cancellationToken)
    {
        var wall = System.Diagnostics.Stopwatch.StartNew();
        var result = new SoakResult { Faults = _faults };
        if (_faults.Any(f => f.Kind == FaultKind.DiskFull))
        {
            _disk = await SoakDisk.MountAsync(_data);
        }

        _broker = await MosquittoBroker.StartAsync();
        await _feed.StartAsync(_clock.GetUtcNow());
        _host = await SoakHost.StartAsync(Configuration(), _wallClock, this, cancellationToken);
        var total = _settings.TotalMinutes;
        var unreachable = new bool[total];
        _stepAffected = new bool[total];
        DateTimeOffset? priceFaultEnded = null;
        var serviceDownUntil = -1;
        foreach (var f in _faults)
        {
            _log.WriteLine($"fault {f.Kind} at {Minute(f.Start):u} for {f.Minutes} min");
            if (f.Kind == FaultKind.ClockStep)
            {
                var crossed = FaultSchedule.UkClockChanges(_settings.StartUtc, total).Where(c => FaultSchedule.CrossesAt(f, c)).Select(c => $", across the UK clock change at {Minute(c):u}");
                _log.WriteLine($"  the appliance's wall clock {f.StepMinutes:+0;-0} min from {Minute(f.Start):u}, back at {Minute(f.End):u}{string.Concat(crossed)}");
            }
        }

        for (var m = 0; m < total; m++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var minute = Minute(m);
            if (_clock.GetUtcNow() < minute)
            {
                _clock.Advance(minute - _clock.GetUtcNow());
            }

            _feed.Publish(minute);

            // Faults starting and ending at this minute.
            foreach (var f in _faults.Where(f => f.Start == m && f.Kind != FaultKind.ForeignSetpoint))
            {
                await StartFaultAsync(f, result, cancellationToken);
                if (f.Kind == FaultKind.ServiceRestart)
                {
                    serviceDownUntil = f.End;
                }
            }

            foreach (var f in _faults.Where(f => f.End == m))
            {
                await EndFaultAsync(f, cancellationToken);
                if (f.Kind == FaultKind.PriceFeedDown)
                {
                    priceFaultEnded = minute;
                }
            }

            if (priceFaultEnded is { } back && minute - back >= TimeSpan.FromHours(1) && (_feed.Gaps.Count > 0 || _feed.MalformedPages.Count > 0))
            {
                _feed.Gaps.Clear(); // the publishing gap filled in, the page whole again
                _feed.MalformedPages.Clear();
            }

            var active = _faults.Where(f => f.Covers(m)).Select(f => f.Kind).ToList();
            if (m == serviceDownUntil)
            {
                await RestartHostAsync(result, cancellationToken);
            }

            NoteWallStamp(m);
            if (_host is not null)
            {
                await _host.RunMinuteAsync(m, result, cancellationToken);
            }

            // Another program writes between two polls.
            foreach (var f in _faults.Where(f => f.Start == m && f.Kind == FaultKind.ForeignSetpoint))
            {
                await StartFaultAsync(f, result, cancellationToken);
            }

            var settling = System.Diagnostics.Stopwatch.GetTimestamp();
            await SettleAsync();
            WallByWork["settle"] = WallByWork.GetValueOrDefault("settle") + System.Diagnostics.Stopwatch.GetElapsedTime(settling);
            unreachable[m] = active.Any(k => k is FaultKind.ModbusTimeouts or FaultKind.ModbusExceptionReplies or FaultKind.CableCutMidWrite or FaultKind.InverterReboot or FaultKind.ServiceRestart or FaultKind.AbsurdTelemetry);
            Judge(m, active, result);
            if (_host?.Services.GetRequiredService<IApplianceStatus>().Current.Components.Any(c => c.Component == "telemetry-history" && c.State != HealthState.Healthy) == true)
            {
                result.TelemetryHistoryDegradedMinutes++;
            }
            CheckClockStepSnapshots(m, result);

            if (minute.Minute == 50 && _host is not null)
            {
                await CheckPricesAsync(minute, priceFaultEnded, active, result, cancellationToken);
            }

            if (minute.Minute == 59)
            {
                _telemetryHours.Enqueue((m - 59, m));
            }

            while (_host is not null && _telemetryHours.TryPeek(out var hour) && !_faults.Any(f => f.Kind == FaultKind.DiskFull && f.Start <= hour.Last && m < f.End + 2))
            {
                _telemetryHours.Dequeue();
                await CheckTelemetryAsync(hour.First, hour.Last, unreachable, result, cancellationToken);
            }

            if (m % (24 * 60) == 0 && m > 0)
            {
                _log.WriteLine($"{minute:u} day {m / 1440}: {result.Lapses.Count} lapses so far, wall {wall.Elapsed.TotalSeconds:F0} s");
            }
        }

        result.Minutes = total;
        result.MaxPersistentWritesPerDay = _inverter.PersistentWritesByDay.Values.DefaultIfEmpty(0).Max();
        result.MaxPersistentRegisterWritesPerDay = _inverter.PersistentRegisterWritesByDay.Values.DefaultIfEmpty(0).Max();
        foreach (var (day, writes) in _inverter.PersistentWritesByDay.Where(kv => kv.Value > SoakSettings.PersistentWriteBudgetPerDay))
        {
            result.HardLimitBreaches.Add($"{day:yyyy-MM-dd}: {writes} persistent writes (budget {SoakSettings.PersistentWriteBudgetPerDay})");
        }

        result.ModbusWritesCut = _link.WritesCut;
        foreach (var line in _inverter.PersistentWriteLog)
        {
            _log.WriteLine($"persistent register write {line}");
        }

        if (_host is not null)
        {
            await _host.DisposeAsync();
            _host = null;
        }

        CheckClockStepSnapshots(int.MaxValue, result);
        CheckIntegrity("end of run", result);
        result.PlansStored = CountRows()["plans"];
        result.Wall = wall.Elapsed;
        _log.WriteLine($"modbus requests reaching the inverter: {_inverter.Requests}");
        _log.WriteLine($"wall by work: {string.Join(", ", WallByWork.Select(kv => $"{kv.Key} {kv.Value.TotalSeconds:F1} s"))}");
        return result;
    }

    private DateTimeOffset Minute(int m) => _settings.StartUtc.AddMinutes(m);

    /// <summary>Runs <paramref name="work"/> to completion, moving the fake clock on in quarter seconds while it waits
    /// (request timeouts, retry back-offs), never while it is making progress faster than that.</summary>
    internal async Task PumpAsync(Task work, string what)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            await PumpCoreAsync(work, what);
        }
        finally
        {
            lock (WallByWork)
            {
                WallByWork[what] = WallByWork.GetValueOrDefault(what) + System.Diagnostics.Stopwatch.GetElapsedTime(started);
            }
        }
    }

    /// <summary>Wall time spent in each kind of work (for the report: where a soak's minutes go).</summary>
    public Dictionary<string, TimeSpan> WallByWork { get; } = [];

    private async Task PumpCoreAsync(Task work, string what)
    {
        var limit = _clock.GetUtcNow() + TimeSpan.FromMinutes(5);
        while (!work.IsCompleted)
        {
            var before = _inverter.Requests;
            await Task.WhenAny(work, Task.Delay(2, CancellationToken.None));
            if (work.IsCompleted)
            {
                break;
            }

            if (_inverter.Requests == before && _link.InFlight == 0)
            {
                _clock.Advance(s_pumpStep);
            }

            if (_clock.GetUtcNow() > limit)
            {
                throw new TimeoutException($"{what} still running after 5 simulated minutes");
            }
        }

        await work;
    }

    /// <summary>Lets background work the clock just woke (the Fox driver's remote-control refresh) finish its requests.</summary>
    private async Task SettleAsync()
    {
        for (var i = 0; i < 20; i++)
        {
            var before = _inverter.Requests;
            if (i == 0)
            {
                await Task.Yield();
            }
            else
            {
                await Task.Delay(1);
            }

            if (_inverter.Requests == before && _link.InFlight == 0)
            {
                return;
            }
        }
    }

    public void Log(string line) => _log.WriteLine($"{_clock.GetUtcNow():u} {line}");

    private async Task StartFaultAsync(Fault f, SoakResult result, CancellationToken cancellationToken)
    {
        switch (f.Kind)
        {
            case FaultKind.BrokerDown:
                await _broker.StopAsync();
                break;
            case FaultKind.PriceFeedDown:
                _feed.Down = true;
                break;
            case FaultKind.ModbusTimeouts:
                _link.Mode = LinkMode.Timeouts;
                break;
            case FaultKind.ModbusExceptionReplies:
                _inverter.ExceptionReplies = true;
                break;
            case FaultKind.CableCutMidWrite:
                _link.Mode = LinkMode.CutMidWrite;
                break;
            case FaultKind.InverterReboot:
                _inverter.Reboot();
                _link.Mode = LinkMode.Down; // booting: the inverter answers nothing
                break;
            case FaultKind.ServiceRestart:
                await KillHostAsync(result, cancellationToken);
                break;
            case FaultKind.AbsurdTelemetry:
                _inverter.AbsurdTelemetry = true;
                break;
            case FaultKind.DiskFull:
                var bytes = _disk!.Fill();
                result.DiskFillerBytes.Add(bytes);
                Log($"disk full: filler took {bytes / 1e6:F1} MB");
                break;
            case FaultKind.ClockStep:
                SnapshotTelemetry(f.Start);
                _wallClock.Offset = TimeSpan.FromMinutes(f.StepMinutes);
                Log($"wall clock stepped {f.StepMinutes:+0;-0} min: the appliance reads {_wallClock.GetUtcNow():u}");
                break;
            case FaultKind.ForeignSetpoint:
                _inverter.WriteForeign("remoteTimeoutSeconds", 3600);
                _inverter.WriteForeign("remoteEnable", 1);
                _inverter.WriteForeign("remoteActivePowerW", 2500);
                break;
        }
    }

    private async Task EndFaultAsync(Fault f, CancellationToken cancellationToken)
    {
        switch (f.Kind)
        {
            case FaultKind.BrokerDown:
                await _broker.RestartAsync();
                break;
            case FaultKind.PriceFeedDown:
                _feed.Down = false;
                // Back with a publishing gap in tomorrow's prices and a malformed second page, for the first hour.
                var horizon = _feed.PublishedUntil;
                foreach (var k in new[] { 3, 4, 9 })
                {
                    _feed.Gaps.Add(horizon.AddMinutes(-30 * k));
                }

                _feed.MalformedPages.Add(2);
                break;
            case FaultKind.ModbusTimeouts or FaultKind.CableCutMidWrite or FaultKind.InverterReboot:
                // Back to what any other cable fault still in progress says (the latest started wins), else up.
                _link.Mode = _faults.Where(o => o != f && o.Covers(f.End) && o.Kind is FaultKind.ModbusTimeouts or FaultKind.CableCutMidWrite or FaultKind.InverterReboot)
                    .OrderBy(o => o.Start).Select(o => o.Kind switch
                    {
                        FaultKind.ModbusTimeouts => LinkMode.Timeouts,
                        FaultKind.CableCutMidWrite => LinkMode.CutMidWrite,
                        _ => LinkMode.Down,
                    }).LastOrDefault(LinkMode.Up);
                break;
            case FaultKind.ModbusExceptionReplies:
                _inverter.ExceptionReplies = false;
                break;
            case FaultKind.AbsurdTelemetry:
                _inverter.AbsurdTelemetry = false;
                break;
            case FaultKind.DiskFull:
                _disk!.Free();
                break;
            case FaultKind.ClockStep:
                SnapshotTelemetry(f.End);
                _wallClock.Offset = TimeSpan.Zero;
                Log("wall clock corrected (NTP): the appliance reads the true time again");
                break;
        }

        await Task.CompletedTask.WaitAsync(cancellationToken);
    }

    private readonly Dictionary<string, long> _committed = [];

    /// <summary>The SIGKILL equivalent: the process's sockets die at once (nothing more reaches the inverter), then its
    /// objects are dropped without a graceful stop of the control loop. Committed rows are counted first.</summary>
    private async Task KillHostAsync(SoakResult result, CancellationToken cancellationToken)
    {
        if (_host is null)
        {
            return;
        }

        _committed.Clear();
        foreach (var (table, count) in CountRows())
        {
            _committed[table] = count;
        }

        var mode = _link.Mode;
        _link.Mode = LinkMode.Down;
        await _host.DisposeAsync();
        _host = null;
        _link.Mode = mode;
        SqliteConnection.ClearAllPools();
        CheckIntegrity($"kill at {_clock.GetUtcNow():u}", result);
        await Task.CompletedTask.WaitAsync(cancellationToken);
    }

    private async Task RestartHostAsync(SoakResult result, CancellationToken cancellationToken)
    {
        _host = await SoakHost.StartAsync(Configuration(), _wallClock, this, cancellationToken);
        var after = CountRows();
        var lost = _committed.Where(kv => after.GetValueOrDefault(kv.Key) < kv.Value).Select(kv => $"{kv.Key}: {kv.Value} → {after.GetValueOrDefault(kv.Key)}").ToList();
        result.RowsLost.AddRange(lost);
        result.Restarts.Add($"{_clock.GetUtcNow():u}: restarted; rows {string.Join(", ", _committed.Select(kv => $"{kv.Key} {kv.Value}→{after.GetValueOrDefault(kv.Key)}"))}");
    }

    private Dictionary<string, long> CountRows()
    {
        var counts = new Dictionary<string, long>();
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        foreach (var table in new[] { "rates", "audit_log", "plans", "telemetry" })
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT count(*) FROM {table}";
            counts[table] = (long)command.ExecuteScalar()!;
        }

        return counts;
    }

    private void CheckIntegrity(string when, SoakResult result)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check";
        var answer = (string)command.ExecuteScalar()!;
        if (answer != "ok")
        {
            result.IntegrityFailures.Add($"{when}: {answer}");
        }
    }

    /// <summary>Is the inverter under a valid EdgeEnergy command, or in the documented safe state for the situation? Read from the simulator's registers.</summary>
    private void Judge(int m, List<FaultKind> active, SoakResult result)
    {
        var device = _inverter.Device;
        var family = _inverter.Family;
        var remote = device.RemoteControlActive;
        var setpoint = _inverter.Read("remoteActivePowerW") ?? 0;
        var workMode = _inverter.Read("workMode");
        var selfUse = family.WorkModeCode("self-use");
        var minute = Minute(m);

        // Safety, whatever the cause: the setpoint within the charge/discharge limits, the battery above its floor.
        if (remote && (setpoint < -(SoakSettings.MaxChargeKw * 1000) - 1 || setpoint > (SoakSettings.MaxDischargeKw * 1000) + 1))
        {
            result.HardLimitBreaches.Add($"{minute:u}: remote setpoint {setpoint} W");
        }

        if (device.SocPercent < SoakSettings.MinSocPercent - 0.5)
        {
            result.HardLimitBreaches.Add($"{minute:u}: SoC {device.SocPercent:F1} % below the {SoakSettings.MinSocPercent} % minimum");
        }

        var intent = _host?.LastSent;
        double? wantedSetpoint = intent?.Kind switch
        {
            InverterCommandKind.ForceCharge => -(intent.PowerW ?? 0),
            InverterCommandKind.ForceDischarge => intent.PowerW ?? 0,
            InverterCommandKind.SelfUse when intent.PowerW is { } p => p,
            InverterCommandKind.Hold => 0,
            _ => null,
        };

        // The inverter cannot be reached or the service is not running (or was not, within one refresh and one poll):
        // the last valid command until its timeout, then self-use, is what the design promises.
        var excused = _faults.Any(f => f.Kind is FaultKind.ModbusTimeouts or FaultKind.ModbusExceptionReplies or FaultKind.CableCutMidWrite
            or FaultKind.InverterReboot or FaultKind.ServiceRestart && m >= f.Start && m < f.End + 2);
        string? lapse = null;
        if (_faults.Any(f => f.Kind == FaultKind.ForeignSetpoint && m >= f.Start - 1 && m < f.End + 6))
        {
            _log.WriteLine($"{minute:u} remote {remote} setpoint {setpoint} work mode {workMode} intent {intent}");
        }

        if (remote)
        {
            if (wantedSetpoint is not { } w || Math.Abs(w - setpoint) > 1)
            {
                lapse = excused ? null : $"remote setpoint {setpoint} W, EdgeEnergy wants {(wantedSetpoint is { } x ? $"{x} W" : "self-use")}";
            }
        }
        else if (workMode != selfUse)
        {
            lapse = $"work mode {workMode} is not self-use and remote control is off";
        }
        else if (wantedSetpoint is { } w && !excused && !InNativeChargePeriod(minute))
        {
            lapse = $"self-use while EdgeEnergy wants a {w} W setpoint";
        }

        foreach (var kind in active.Distinct())
        {
            var (minutes, inControl) = result.ByKind.GetValueOrDefault(kind);
            result.ByKind[kind] = (minutes + 1, inControl + (lapse is null ? 1 : 0));
        }

        if (active.Count == 0)
        {
            result.CleanMinutes++;
            result.CleanInControl += lapse is null ? 1 : 0;
        }

        if (lapse is not null)
        {
            result.Lapses.Add(new Lapse(minute, lapse, active));
            _log.WriteLine($"LAPSE {minute:u}: {lapse} [{string.Join(", ", active)}]");
        }
    }

    private bool InNativeChargePeriod(DateTimeOffset now)
    {
        var rows = _inverter.Family.Field("chargePeriod").OrderBy(r => r.Address).ToList();
        if (rows.Count != 6)
        {
            return false;
        }

        var time = TimeOnly.FromDateTime(UkTime.ToLocal(now).DateTime);
        for (var p = 0; p < 2; p++)
        {
            var enabled = _inverter.Device.Peek(rows[p * 3].Space, rows[p * 3].Address) is > 0;
            var start = FoxDecoder.ToTime(_inverter.Device.Peek(rows[(p * 3) + 1].Space, rows[(p * 3) + 1].Address) ?? 0);
            var end = FoxDecoder.ToTime(_inverter.Device.Peek(rows[(p * 3) + 2].Space, rows[(p * 3) + 2].Address) ?? 0);
            if (enabled && start is { } s && end is { } e && s != e && time.IsBetween(s, e))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Once the feed has been back (and whole) for an hour: every published slot stored.</summary>
    private async Task CheckPricesAsync(DateTimeOffset now, DateTimeOffset? priceFaultEnded, List<FaultKind> active, SoakResult result, CancellationToken cancellationToken)
    {
        if (active.Contains(FaultKind.PriceFeedDown) || (priceFaultEnded is { } back && now - back < TimeSpan.FromHours(2)) || now - _settings.StartUtc < TimeSpan.FromHours(1)
            || _faults.Any(f => f.Kind == FaultKind.DiskFull && now >= Minute(f.Start) && now < Minute(f.End).AddHours(2)))
        {
            return;
        }

        result.PriceChecks++;
        var store = _host!.Services.GetRequiredService<IRateStore>();
        var from = _settings.StartUtc;
        var stored = (await store.GetAsync(RateKind.Import, new TimeRange(from, _feed.PublishedUntil), cancellationToken)).Select(r => r.StartUtc).ToHashSet();
        var missing = _feed.PublishedImport.Where(r => r.StartUtc >= from && !stored.Contains(r.StartUtc)).ToList();
        if (missing.Count > 0)
        {
            result.MissingPriceSlots.Add($"{now:u}: {missing.Count} published slots not stored, first {missing[0].StartUtc:u}");
        }
    }

    /// <summary>Every minute of the hour has its telemetry row, except minutes the inverter could not be read (counted apart).</summary>
    private async Task CheckTelemetryAsync(int first, int last, bool[] unreachable, SoakResult result, CancellationToken cancellationToken)
    {
        var store = _host!.Services.GetRequiredService<ITelemetryStore>();
        var samples = await store.GetAsync(Minute(first), Minute(last + 1), cancellationToken);
        var minutes = samples.Select(s => (int)Math.Floor((s.TimestampUtc - _settings.StartUtc).TotalMinutes)).ToHashSet();
        foreach (var s in samples.Where(s => s.BatterySocPercent is < 0 or > 100 || s.GridPowerW is < -30000 or > 30000))
        {
            result.AbsurdTelemetryStored.Add($"{s.TimestampUtc:u}: SoC {s.BatterySocPercent} %, grid {s.GridPowerW} W");
        }

        for (var m = first; m <= last; m++)
        {
            if (_stepAffected[m])
            {
                result.TelemetryMinutesClockStepped++;
                var text = $"{Minute(m):u}";
                if (result.TelemetryClockSteppedRanges.Count > 0 && _lastSteppedMinute == m - 1)
                {
                    var from = result.TelemetryClockSteppedRanges[^1].Split('…')[0];
                    result.TelemetryClockSteppedRanges[^1] = $"{from}…{Minute(m):HH:mm}";
                }
                else
                {
                    result.TelemetryClockSteppedRanges.Add(text);
                }

                _lastSteppedMinute = m;
                continue;
            }

            if (minutes.Contains(m))
            {
                continue;
            }

            if (unreachable[m])
            {
                result.TelemetryMinutesUnreachable++;
            }
            else if (HeldWhenKilled(m))
            {
                result.TelemetryMinutesLostHeldAtKill++;
            }
            else
            {
                result.TelemetryMinutesMissing++;
                if (result.TelemetryGaps.Count < 50)
                {
                    result.TelemetryGaps.Add($"{Minute(m):u}");
                }
            }
        }
    }

    /// <summary>Minute <paramref name="m"/> fell in a full disk during which the service was later killed (its samples were in memory).</summary>
    private bool HeldWhenKilled(int m) => _faults.Any(d => d.Kind == FaultKind.DiskFull && d.Covers(m)
        && _faults.Any(k => k.Kind == FaultKind.ServiceRestart && k.Start > m && k.Start <= d.End));

    private bool[] _stepAffected = [];
    private readonly HashSet<int> _steppedTargets = [];
    private int _newestStamp = int.MinValue;
    private int _lastSteppedMinute = -2;
    private readonly List<(int Due, string Why, Dictionary<long, string> Rows)> _snapshots = [];

    /// <summary>
    /// The minute the appliance will stamp this minute's telemetry with (the true minute plus the wall clock's step),
    /// and which true minutes that makes unmeasurable: a minute polled on a stepped clock (its row is elsewhere), a
    /// minute whose stamp a stepped minute took (its row may hold another minute's values), and a minute at or before
    /// the newest stamp already written (after a step back the appliance may refuse it: rows already stored are not
    /// overwritten). Called before the minute's poll, whether or not the service runs.
    /// </summary>
    private void NoteWallStamp(int m)
    {
        var step = (int)Math.Round(_wallClock.Offset.TotalMinutes);
        var stamp = m + step;
        if (step != 0)
        {
            _stepAffected[m] = true;
            if (stamp >= 0 && stamp < _stepAffected.Length)
            {
                _steppedTargets.Add(stamp); // a target in the past has had its own check: the overwrite check covers it
            }
        }
        else if (stamp <= _newestStamp)
        {
            _stepAffected[m] = true;
        }

        if (_steppedTargets.Contains(m))
        {
            _stepAffected[m] = true;
        }

        if (_host is not null)
        {
            _newestStamp = Math.Max(_newestStamp, stamp);
        }
    }

    /// <summary>Before a wall-clock step or its correction: the committed telemetry rows within three hours either side,
    /// to be compared three hours later (a step is at most 90 minutes; nothing may replace or remove them).</summary>
    private void SnapshotTelemetry(int m)
    {
        var rows = ReadTelemetryRows(Minute(m - 180), Minute(m + 180));
        _snapshots.Add((m + 180, $"wall-clock step at {Minute(m):u}", rows));
    }

    private void CheckClockStepSnapshots(int m, SoakResult result)
    {
        foreach (var snapshot in _snapshots.Where(s => s.Due <= m).ToList())
        {
            _snapshots.Remove(snapshot);
            var now = ReadTelemetryRows(DateTimeOffset.FromUnixTimeSeconds(snapshot.Rows.Keys.DefaultIfEmpty(0).Min()), DateTimeOffset.FromUnixTimeSeconds(snapshot.Rows.Keys.DefaultIfEmpty(0).Max() + 60));
            foreach (var (minute, values) in snapshot.Rows)
            {
                result.ClockStepRowsChecked++;
                var after = now.GetValueOrDefault(minute);
                if (after != values)
                {
                    result.TelemetryRowsOverwritten.Add($"{DateTimeOffset.FromUnixTimeSeconds(minute):u} ({snapshot.Why}): [{values}] → {(after is null ? "gone" : $"[{after}]")}");
                }
            }
        }
    }

    private Dictionary<long, string> ReadTelemetryRows(DateTimeOffset from, DateTimeOffset to)
    {
        var rows = new Dictionary<long, string>();
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT minute, soc_percent, battery_w, grid_w, load_w, pv_w, car_w FROM telemetry WHERE minute >= $f AND minute < $t";
        command.Parameters.AddWithValue("$f", from.ToUnixTimeSeconds());
        command.Parameters.AddWithValue("$t", to.ToUnixTimeSeconds());
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            rows[reader.GetInt64(0)] = string.Join(", ", Enumerable.Range(1, 6).Select(i => reader.IsDBNull(i) ? "null" : reader.GetDouble(i).ToString("R", CultureInfo.InvariantCulture)));
        }

        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        await _feed.DisposeAsync();
        await _link.DisposeAsync();
        await _modbus.DisposeAsync();
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        if (_disk is not null)
        {
            await _disk.DisposeAsync();
        }

        Directory.Delete(_data, recursive: true);
    }
}
