using EdgeEnergy.Control.Supervision;
using EdgeEnergy.Domain.Control;
using EdgeEnergy.Domain.Inverter;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Status;
using EdgeEnergy.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeEnergy.Control.Tests.Supervision;

/// <summary>A step of the wall clock (NTP correcting a Pi without a real-time clock) while the monotonic clock runs on.</summary>
public class WallClockStepTests
{
    private static readonly DateTimeOffset s_t0 = new(2026, 10, 25, 1, 20, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(s_t0);

    [Fact]
    public void The_detector_reports_a_step_of_the_wall_clock_but_not_the_time_that_passed()
    {
        var clock = new SteppedClock(_time);
        var detector = new WallClockStepDetector(clock);
        Assert.Null(detector.Observe(clock.GetUtcNow())); // nothing to compare with yet

        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.Null(detector.Observe(clock.GetUtcNow()));

        clock.Offset = TimeSpan.FromMinutes(-60); // across the October change: 01:30 GMT reads 00:30 UTC (01:30 BST)
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(TimeSpan.FromMinutes(-60), detector.Observe(clock.GetUtcNow()));

        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Null(detector.Observe(clock.GetUtcNow())); // reported once

        clock.Offset = TimeSpan.FromSeconds(-55); // NTP puts it (nearly) right: a step ahead of 59 min 5 s
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(TimeSpan.FromMinutes(59) + TimeSpan.FromSeconds(5), detector.Observe(clock.GetUtcNow()));

        clock.Offset = TimeSpan.FromSeconds(-50); // under the threshold: slewing, not a step
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Null(detector.Observe(clock.GetUtcNow()));
    }

    [Fact]
    public async Task After_the_wall_clock_steps_back_the_command_is_re_sent_on_elapsed_time_not_an_hour_later()
    {
        var controller = new Controller();
        var path = new BatteryPath("modbus", controller, controller);
        var sender = new CommandSender(new ControlOptions { ResendSeconds = 300, MinimumDwellSeconds = 0 }, new InMemoryAuditLog(), NullLogger.Instance);
        var reading = new TelemetryReading(new InverterTelemetry { Family = "fake", BatterySocPercent = 50 }, path, null);
        var decision = new ControlDecision(InverterCommand.ForceCharge(2000, 10), RecommendationSource.Plan, SlotMode.Charge, "cheap", null, s_t0.AddMinutes(30));

        Assert.NotNull((await sender.StepAsync(s_t0, reading, decision, shadow: false, canSend: true, default)).Sent);
        sender.ClockStepped(TimeSpan.FromHours(-1));
        var stepped = s_t0.AddHours(-1);

        Assert.Null((await sender.StepAsync(stepped.AddSeconds(290), reading, decision, false, true, default)).Sent);
        Assert.NotNull((await sender.StepAsync(stepped.AddSeconds(300), reading, decision, false, true, default)).Sent);
        Assert.Equal(2, controller.Commands.Count);
    }

    private sealed class Controller : IInverterTelemetrySource, IBatteryModeController
    {
        public List<InverterCommand> Commands { get; } = [];

        public Task<InverterTelemetry> ReadTelemetryAsync(CancellationToken cancellationToken) =>
            Task.FromResult(new InverterTelemetry { Family = "fake", BatterySocPercent = 50 });

        public Task ApplyAsync(InverterCommand command, CancellationToken cancellationToken)
        {
            Commands.Add(command);
            return Task.CompletedTask;
        }
    }
}
