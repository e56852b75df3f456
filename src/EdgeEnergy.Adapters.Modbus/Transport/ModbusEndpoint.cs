using System.Globalization;
using System.IO.Ports;

namespace EdgeEnergy.Adapters.Modbus.Transport;

public enum ModbusEndpointKind
{
    /// <summary><c>tcp://host:port</c>: Modbus TCP (MBAP).</summary>
    Tcp,
    /// <summary><c>rtu-over-tcp://host:port</c>: raw RTU frames (with CRC) over a socket.</summary>
    RtuOverTcp,
    /// <summary><c>rtu:///dev/ttyUSB0?baud=9600&amp;parity=none&amp;stop=1</c>: RTU on a serial line.</summary>
    RtuSerial,
}

/// <summary>A parsed endpoint URI (docs/contracts.md section 1).</summary>
public sealed record ModbusEndpoint
{
    public required ModbusEndpointKind Kind { get; init; }
    public string Host { get; init; } = "";
    public int Port { get; init; }
    public string DevicePath { get; init; } = "";
    public int BaudRate { get; init; } = 9600;
    public Parity Parity { get; init; } = Parity.None;
    public StopBits StopBits { get; init; } = StopBits.One;
    public int DataBits { get; init; } = 8;

    /// <summary>The physical bus this endpoint reaches: two endpoints with the same key share one connection.</summary>
    public string BusKey => Kind == ModbusEndpointKind.RtuSerial ? "serial:" + DevicePath : $"net:{Host.ToUpperInvariant()}:{Port}";

    public bool IsRtu => Kind != ModbusEndpointKind.Tcp;

    /// <summary>Bits on the wire per character: start + data + parity + stop.</summary>
    public int BitsPerCharacter => 1 + DataBits + (Parity == Parity.None ? 0 : 1) + (StopBits == StopBits.Two ? 2 : 1);

    /// <summary>The RTU inter-frame silence: 3.5 characters, fixed at 1.75 ms above 19200 baud (Modbus over serial line v1.02, 2.5.1.1).</summary>
    public TimeSpan SilentInterval => BaudRate > 19200
        ? TimeSpan.FromMicroseconds(1750)
        : TimeSpan.FromSeconds(3.5 * BitsPerCharacter / BaudRate);

    public override string ToString() => Kind switch
    {
        ModbusEndpointKind.Tcp => $"tcp://{Host}:{Port}",
        ModbusEndpointKind.RtuOverTcp => $"rtu-over-tcp://{Host}:{Port}",
        _ => FormattableString.Invariant($"rtu://{DevicePath}?baud={BaudRate}&parity={Parity.ToString().ToLowerInvariant()}&stop={(StopBits == StopBits.Two ? 2 : 1)}&data={DataBits}"),
    };

    /// <summary>Parses an endpoint URI; throws <see cref="FormatException"/> naming the URI and the part that is wrong.</summary>
    public static ModbusEndpoint Parse(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var schemeEnd = uri.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0)
        {
            throw new FormatException($"endpoint '{uri}': expected tcp://host:port, rtu-over-tcp://host:port or rtu:///dev/ttyX?baud=9600&parity=none&stop=1");
        }

        var scheme = uri[..schemeEnd].ToLowerInvariant();
        var rest = uri[(schemeEnd + 3)..];
        return scheme switch
        {
            "tcp" => ParseNet(uri, rest, ModbusEndpointKind.Tcp),
            "rtu-over-tcp" => ParseNet(uri, rest, ModbusEndpointKind.RtuOverTcp),
            "rtu" => ParseSerial(uri, rest),
            _ => throw new FormatException($"endpoint '{uri}': unknown scheme '{scheme}' (tcp, rtu-over-tcp or rtu)"),
        };
    }

    private static ModbusEndpoint ParseNet(string uri, string rest, ModbusEndpointKind kind)
    {
        rest = rest.TrimEnd('/');
        var colon = rest.LastIndexOf(':');
        var host = colon < 0 ? rest : rest[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        if (host.Length == 0)
        {
            throw new FormatException($"endpoint '{uri}': missing host");
        }

        var port = 502;
        if (colon >= 0 && (!int.TryParse(rest[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            throw new FormatException($"endpoint '{uri}': port '{rest[(colon + 1)..]}' is not 1..65535");
        }

        return new ModbusEndpoint { Kind = kind, Host = host, Port = port };
    }

    private static ModbusEndpoint ParseSerial(string uri, string rest)
    {
        var q = rest.IndexOf('?');
        var path = q < 0 ? rest : rest[..q];
        if (path.Length == 0 || path[0] != '/')
        {
            throw new FormatException($"endpoint '{uri}': expected an absolute device path, e.g. rtu:///dev/ttyUSB0");
        }

        var endpoint = new ModbusEndpoint { Kind = ModbusEndpointKind.RtuSerial, DevicePath = path };
        if (q < 0)
        {
            return endpoint;
        }

        foreach (var pair in rest[(q + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            var key = (eq < 0 ? pair : pair[..eq]).ToLowerInvariant();
            var value = eq < 0 ? "" : pair[(eq + 1)..].ToLowerInvariant();
            endpoint = key switch
            {
                "baud" => endpoint with { BaudRate = ParseInt(uri, key, value, 300, 4_000_000) },
                "data" => endpoint with { DataBits = ParseInt(uri, key, value, 7, 8) },
                "stop" => endpoint with
                {
                    StopBits = value switch
                    {
                        "1" => StopBits.One,
                        "2" => StopBits.Two,
                        _ => throw new FormatException($"endpoint '{uri}': stop='{value}' must be 1 or 2"),
                    },
                },
                "parity" => endpoint with
                {
                    Parity = value switch
                    {
                        "none" or "n" => Parity.None,
                        "even" or "e" => Parity.Even,
                        "odd" or "o" => Parity.Odd,
                        _ => throw new FormatException($"endpoint '{uri}': parity='{value}' must be none, even or odd"),
                    },
                },
                _ => throw new FormatException($"endpoint '{uri}': unknown option '{key}' (baud, parity, stop, data)"),
            };
        }

        return endpoint;
    }

    private static int ParseInt(string uri, string key, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new FormatException($"endpoint '{uri}': {key}='{value}' must be a whole number {min}..{max}");
}
