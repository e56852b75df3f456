using System.Globalization;
using EdgeEnergy.Adapters.Modbus.Transport;
using EdgeEnergy.Domain.Inverter;

namespace EdgeEnergy.Adapters.Modbus.Relays;

/// <summary>
/// A relay on a Modbus relay board: one coil, switched with FC05 and read back with FC01, on a bus shared with the
/// inverter when the endpoint is the same (the bus registry serialises the requests).
/// </summary>
public sealed class ModbusCoilRelay(ModbusClient client, ushort coil) : ISwitchedOutput
{
    public Task SetAsync(bool energised, CancellationToken cancellationToken) => client.WriteSingleCoilAsync(coil, energised, cancellationToken);

    public async Task<bool> GetAsync(CancellationToken cancellationToken) => (await client.ReadCoilsAsync(coil, 1, cancellationToken))[0];
}

/// <summary>
/// A relay address, <c>modbus://HOST:PORT?unit=U&amp;coil=C</c> (Modbus TCP) or <c>modbus:///dev/ttyUSB0?baud=9600&amp;unit=U&amp;coil=C</c>
/// (RTU): the bus endpoint, the unit (1-247) and the coil (0-65535).
/// </summary>
public sealed record ModbusRelayAddress(ModbusEndpoint Endpoint, byte Unit, ushort Coil)
{
    /// <summary>Parses <paramref name="address"/>; the error names <paramref name="key"/> and what is wrong.</summary>
    public static ModbusRelayAddress Parse(string address, string key)
    {
        const string Scheme = "modbus://";
        if (string.IsNullOrWhiteSpace(address) || !address.StartsWith(Scheme, StringComparison.Ordinal))
        {
            throw new FormatException($"{key} '{address}' is not a relay address like modbus://192.168.1.50:502?unit=1&coil=0");
        }

        var rest = address[Scheme.Length..];
        var q = rest.IndexOf('?', StringComparison.Ordinal);
        var query = q < 0 ? [] : rest[(q + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries);
        var target = q < 0 ? rest : rest[..q];
        int? unit = null, coil = null;
        var kept = new List<string>();
        foreach (var pair in query)
        {
            var (name, value) = pair.IndexOf('=', StringComparison.Ordinal) is var e and > 0 ? (pair[..e], pair[(e + 1)..]) : (pair, "");
            switch (name)
            {
                case "unit":
                    unit = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var u) && u is >= 1 and <= 247 ? u
                        : throw new FormatException($"{key}: unit '{value}' must be 1-247");
                    break;
                case "coil":
                    coil = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var c) && c is >= 0 and <= 65535 ? c
                        : throw new FormatException($"{key}: coil '{value}' must be 0-65535");
                    break;
                default:
                    kept.Add(pair);
                    break;
            }
        }

        if (unit is null || coil is null)
        {
            throw new FormatException($"{key} '{address}' needs both unit= and coil=");
        }

        var endpointUri = (target.StartsWith('/') ? "rtu://" : "tcp://") + target + (kept.Count > 0 ? "?" + string.Join('&', kept) : "");
        ModbusEndpoint endpoint;
        try
        {
            endpoint = ModbusEndpoint.Parse(endpointUri);
        }
        catch (FormatException ex)
        {
            throw new FormatException($"{key} '{address}': {ex.Message}", ex);
        }

        return new ModbusRelayAddress(endpoint, (byte)unit, (ushort)coil);
    }
}
