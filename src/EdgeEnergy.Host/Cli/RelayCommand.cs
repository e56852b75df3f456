using System.CommandLine;
using System.Text.Json;
using EdgeEnergy.Adapters.Gpio;
using EdgeEnergy.Adapters.Modbus.Relays;
using EdgeEnergy.Adapters.Modbus.Transport;
using EdgeEnergy.Domain;
using EdgeEnergy.Domain.Inverter;

namespace EdgeEnergy.Host.Cli;

/// <summary>
/// <c>edgeenergy relay check RELAY [--on-seconds N]</c>: before a heater is wired (or with the service stopped),
/// switches one relay address exactly as the service would (a GPIO line opened already off), reads it back, holds it on
/// for N seconds so the installer can hear the click or see the LED, switches it off and reads it back again. The
/// readings are JSON on stdout; a wrong active level shows as a relay that clicks on when "off".
/// </summary>
internal static class RelayCommand
{
    private const string Key = "RELAY";

    public static Command Create()
    {
        var relay = new Command("relay", "Immersion heater relays: check one before wiring it.");
        var address = new Argument<string>("RELAY") { Description = "gpio://17?chip=0&active=high|low, modbus://HOST:PORT?unit=U&coil=C or modbus:///dev/ttyUSB0?baud=9600&unit=U&coil=C" };
        var onSeconds = new Option<double>("--on-seconds") { Description = "How long the relay is held on (0-600 s).", DefaultValueFactory = _ => 3 };
        var check = new Command("check", "Switches the relay on, holds it, switches it off, reading it back at each step; JSON on stdout.");
        check.Arguments.Add(address);
        check.Options.Add(onSeconds);
        check.SetAction((parse, ct) => CheckAsync(parse.GetValue(address)!, parse.GetValue(onSeconds), ct));
        relay.Subcommands.Add(check);
        return relay;
    }

    private static async Task<int> CheckAsync(string address, double onSeconds, CancellationToken cancellationToken)
    {
        if (onSeconds is < 0 or > 600 || double.IsNaN(onSeconds))
        {
            await Console.Error.WriteLineAsync($"edgeenergy relay check: --on-seconds {onSeconds} must be 0-600");
            return ExitCodes.BadInput;
        }

        GpioRelayAddress? gpio = null;
        ModbusRelayAddress? modbus = null;
        try
        {
            if (address.StartsWith(GpioRelayAddress.Scheme, StringComparison.Ordinal))
            {
                gpio = GpioRelayAddress.Parse(address, Key);
            }
            else
            {
                modbus = ModbusRelayAddress.Parse(address, Key);
            }
        }
        catch (FormatException e)
        {
            await Console.Error.WriteLineAsync($"edgeenergy relay check: {e.Message} (Home Assistant switches are checked in Home Assistant)");
            return ExitCodes.BadInput;
        }

        var readings = new List<Reading>();
        try
        {
            if (gpio is not null)
            {
                using var bank = new GpioRelayBank(new LibGpiodChipOpener());
                await CycleAsync(bank.Open(gpio, Key), onSeconds, readings, cancellationToken);
            }
            else
            {
                await using var lease = new ModbusBusRegistry(TimeProvider.System).Acquire(modbus!.Endpoint, new ModbusBusOptions());
                await CycleAsync(new ModbusCoilRelay(new ModbusClient(lease.Bus, modbus.Unit), modbus.Coil), onSeconds, readings, cancellationToken);
            }
        }
        catch (Exception e) when (e is IOException or ModbusException)
        {
            await Console.Error.WriteLineAsync($"edgeenergy relay check: {e.Message}");
            return ExitCodes.Failure;
        }

        await Console.Out.WriteLineAsync(JsonSerializer.Serialize(new RelayCheck(address, readings), CliJson.Indented.For<RelayCheck>()));
        var consistent = readings.All(r => r.Wanted is null || r.Wanted == r.ReadBack);
        if (!consistent)
        {
            await Console.Error.WriteLineAsync("edgeenergy relay check: the relay did not read back what was switched");
        }

        return consistent ? ExitCodes.Success : ExitCodes.Failure;
    }

    private static async Task CycleAsync(ISwitchedOutput relay, double onSeconds, List<Reading> readings, CancellationToken cancellationToken)
    {
        async Task Step(string step, bool? wanted)
        {
            if (wanted is { } on)
            {
                await relay.SetAsync(on, cancellationToken);
            }

            var back = await relay.GetAsync(cancellationToken);
            readings.Add(new Reading(step, wanted, back));
            await Console.Error.WriteLineAsync($"edgeenergy relay check: {step}: reads {(back ? "on" : "off")}");
        }

        // A GPIO line is opened already off; a Modbus coil is read as the board holds it.
        await Step("opened", null);
        await Step("on", true);
        var off = false;
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(onSeconds), TimeProvider.System, cancellationToken);
            await Step("off", false);
            off = true;
        }
        finally
        {
            if (!off)
            {
                // Interrupted (Ctrl+C) or failed while on: never leave a heater's relay on.
                await relay.SetAsync(false, CancellationToken.None);
            }
        }
    }

    /// <summary>One step: what was switched (null: only read) and what the relay then read.</summary>
    internal sealed record Reading(string Step, bool? Wanted, bool ReadBack);

    /// <summary>What <c>relay check</c> prints: the relay and each step's wanted and read-back state.</summary>
    internal sealed record RelayCheck(string Relay, IReadOnlyList<Reading> Steps);
}
