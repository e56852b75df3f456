using System.Globalization;
using System.Text.Json;

namespace EdgeEnergy.Adapters.Modbus.FoxEss;

public enum RegisterSpace
{
    /// <summary>Read with FC04.</summary>
    Input,
    /// <summary>Read with FC03.</summary>
    Holding,
}

public enum RegisterFormat
{
    U16,
    I16,
    /// <summary>Two registers, high word at the lower address.</summary>
    U32,
    /// <summary>Two registers, high word at the lower address.</summary>
    I32,
}

public enum WriteClass
{
    ReadOnly,
    /// <summary>Remote-control registers, meant to be rewritten under the inverter's watchdog.</summary>
    Volatile,
    /// <summary>Settings the inverter keeps (EEPROM/flash): written only on change, within a daily budget.</summary>
    Persistent,
}

/// <summary>An inclusive address range in one register space.</summary>
public readonly record struct AddressRange(RegisterSpace Space, int From, int To)
{
    public bool Contains(RegisterSpace space, int address) => space == Space && address >= From && address <= To;

    public bool Overlaps(RegisterSpace space, int from, int to) => space == Space && from <= To && to >= From;

    public static AddressRange Parse(string text, string where)
    {
        var colon = text.IndexOf(':');
        var dash = text.IndexOf('-', colon + 1);
        if (colon < 0 || dash < 0
            || !int.TryParse(text.AsSpan(colon + 1, dash - colon - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var from)
            || !int.TryParse(text.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var to)
            || from > to || to > 65535)
        {
            throw new FormatException($"{where}: range '{text}' is not SPACE:FROM-TO");
        }

        return new AddressRange(FoxRegisterMap.ParseSpace(text[..colon], where), from, to);
    }

    public override string ToString() => $"{Space.ToString().ToLowerInvariant()}:{From}-{To}";
}

/// <summary>One row of the register map: raw × <see cref="Scale"/> = value in our unit and sign.</summary>
public sealed record FoxRegister(
    string Family, string Field, RegisterSpace Space, int Address, RegisterFormat Format, decimal Scale, string Unit, WriteClass Access, string Source, int Line)
{
    public int Words => Format is RegisterFormat.U32 or RegisterFormat.I32 ? 2 : 1;

    /// <summary>The raw value from its registers (high word first for 32-bit), or null when any is missing.</summary>
    public long? Raw(Func<RegisterSpace, int, ushort?> read)
    {
        var hi = read(Space, Address);
        if (hi is null)
        {
            return null;
        }

        switch (Format)
        {
            case RegisterFormat.U16:
                return hi.Value;
            case RegisterFormat.I16:
                return (short)hi.Value;
        }

        var lo = read(Space, Address + 1);
        if (lo is null)
        {
            return null;
        }

        var word = ((uint)hi.Value << 16) | lo.Value;
        return Format == RegisterFormat.U32 ? word : (int)word;
    }

    /// <summary>Value in our unit and sign; exact decimal scaling so 231 × 0.1 is 23.1.</summary>
    public double? Value(Func<RegisterSpace, int, ushort?> read) => Raw(read) is { } raw ? (double)(raw * Scale) : null;

    /// <summary>Registers that hold <paramref name="value"/> (our unit and sign), clamped to the format's range.</summary>
    public ushort[] Encode(double value)
    {
        var raw = Math.Round((decimal)value / Scale, MidpointRounding.AwayFromZero);
        switch (Format)
        {
            case RegisterFormat.U16:
                return [(ushort)Math.Clamp(raw, ushort.MinValue, ushort.MaxValue)];
            case RegisterFormat.I16:
                return [unchecked((ushort)(short)Math.Clamp(raw, short.MinValue, short.MaxValue))];
            case RegisterFormat.U32:
            {
                var u = (uint)Math.Clamp(raw, uint.MinValue, uint.MaxValue);
                return [(ushort)(u >> 16), (ushort)u];
            }

            default:
            {
                var i = unchecked((uint)(int)Math.Clamp(raw, int.MinValue, int.MaxValue));
                return [(ushort)(i >> 16), (ushort)i];
            }
        }
    }
}

/// <summary>A family's map and read rules.</summary>
public sealed record FoxFamily
{
    public required string Key { get; init; }
    public required string Description { get; init; }
    /// <summary>true: one ASCII character per register (H1 G1, H3); false: two per register, high byte first.</summary>
    public required bool ModelCharPerRegister { get; init; }
    public required string SimulatedModel { get; init; }
    public required bool LowVoltageBattery { get; init; }
    /// <summary>h1, kh, g2 (status bitfields) or raw.</summary>
    public required string StateTable { get; init; }
    public required IReadOnlyDictionary<int, string> WorkModes { get; init; }
    public required int MaxRegistersPerRead { get; init; }
    public required IReadOnlyList<AddressRange> Answered { get; init; }
    public required IReadOnlyList<AddressRange> Invalid { get; init; }
    public required IReadOnlyList<AddressRange> SingleRegister { get; init; }
    public required IReadOnlyList<FoxRegister> Registers { get; init; }
    public required string Source { get; init; }

    public IEnumerable<FoxRegister> Field(string field) => Registers.Where(r => r.Field == field);

    public FoxRegister? Register(string field) => Registers.FirstOrDefault(r => r.Field == field);

    public bool Has(string field) => Registers.Any(r => r.Field == field);

    public bool IsSingleRegister(RegisterSpace space, int address) => SingleRegister.Any(r => r.Contains(space, address));

    public bool IsAnswered(RegisterSpace space, int address) => Answered.Any(r => r.Contains(space, address)) && !Invalid.Any(r => r.Contains(space, address));

    /// <summary>The raw work-mode code for a mode, or null when the family cannot be set to it.</summary>
    public int? WorkModeCode(string mode) => WorkModes.FirstOrDefault(kv => kv.Value == mode) is { Value: not null } kv ? kv.Key : null;
}

/// <summary>The Fox register map loaded from the embedded data files, validated row by row.</summary>
public sealed class FoxRegisterMap
{
    /// <summary>Every field name a row may use; the decoder knows each.</summary>
    public static readonly IReadOnlySet<string> KnownFields = new HashSet<string>(StringComparer.Ordinal)
    {
        "pv1VoltageV", "pv1CurrentA", "pv1PowerW", "pv2VoltageV", "pv2CurrentA", "pv2PowerW", "pv3PowerW", "pv4PowerW",
        "batteryPowerW", "batteryVoltageV", "batteryCurrentA", "batteryTemperatureC", "batterySocPercent",
        "gridVoltageV", "gridFrequencyHz", "gridPowerW", "loadPowerW", "inverterTemperatureC",
        "inverterState", "inverterStatus1", "inverterStatus3", "faultWord",
        "pvEnergyTotalKwh", "batteryChargeEnergyTotalKwh", "batteryDischargeEnergyTotalKwh", "gridExportEnergyTotalKwh",
        "gridImportEnergyTotalKwh", "loadEnergyTotalKwh",
        "workMode", "chargePeriod", "maxChargeCurrentA", "maxDischargeCurrentA", "minSocPercent", "maxSocPercent", "minSocOnGridPercent",
        "remoteEnable", "remoteTimeoutSeconds", "remoteActivePowerW",
    };

    public const int ModelAddress = 30000;
    public const int ModelRegisters = 16;

    private static readonly Lazy<FoxRegisterMap> s_embedded = new(LoadEmbedded);

    private FoxRegisterMap(IReadOnlyDictionary<string, FoxFamily> families) => Families = families;

    public IReadOnlyDictionary<string, FoxFamily> Families { get; }

    public static FoxRegisterMap Embedded => s_embedded.Value;

    public FoxFamily this[string key] => Families.TryGetValue(key, out var f)
        ? f
        : throw new ArgumentException($"unknown Fox family '{key}' (one of {string.Join(", ", Families.Keys)})", nameof(key));

    private static FoxRegisterMap LoadEmbedded()
    {
        var assembly = typeof(FoxRegisterMap).Assembly;
        using var csv = assembly.GetManifestResourceStream("EdgeEnergy.FoxEss.fox-registers.csv")!;
        using var json = assembly.GetManifestResourceStream("EdgeEnergy.FoxEss.fox-families.json")!;
        return Load(new StreamReader(csv).ReadToEnd(), new StreamReader(json).ReadToEnd());
    }

    internal static RegisterSpace ParseSpace(string text, string where) => text switch
    {
        "input" => RegisterSpace.Input,
        "holding" => RegisterSpace.Holding,
        _ => throw new FormatException($"{where}: space '{text}' must be input or holding"),
    };

    /// <summary>Parses and checks both files; a bad row throws <see cref="FormatException"/> naming file, line and column.</summary>
    public static FoxRegisterMap Load(string registersCsv, string familiesJson)
    {
        var rows = ParseRows(registersCsv);
        using var doc = JsonDocument.Parse(familiesJson);
        var families = new Dictionary<string, FoxFamily>(StringComparer.Ordinal);
        foreach (var f in doc.RootElement.GetProperty("families").EnumerateArray())
        {
            var key = f.GetProperty("key").GetString()!;
            var where = $"fox-families.json family '{key}'";
            List<AddressRange> Ranges(string name) => f.GetProperty(name).EnumerateArray().Select(e => AddressRange.Parse(e.GetString()!, $"{where} {name}")).ToList();
            var encoding = f.GetProperty("modelEncoding").GetString();
            var family = new FoxFamily
            {
                Key = key,
                Description = f.GetProperty("description").GetString()!,
                ModelCharPerRegister = encoding switch
                {
                    "char-per-register" => true,
                    "two-chars-per-register" => false,
                    _ => throw new FormatException($"{where}: modelEncoding '{encoding}'"),
                },
                SimulatedModel = f.GetProperty("simulatedModel").GetString()!,
                LowVoltageBattery = f.GetProperty("lowVoltageBattery").GetBoolean(),
                StateTable = f.GetProperty("stateTable").GetString()!,
                WorkModes = f.GetProperty("workModes").EnumerateObject().ToDictionary(p => int.Parse(p.Name, CultureInfo.InvariantCulture), p => p.Value.GetString()!),
                MaxRegistersPerRead = f.GetProperty("maxRegistersPerRead").GetInt32(),
                Answered = Ranges("answered"),
                Invalid = Ranges("invalid"),
                SingleRegister = Ranges("singleRegister"),
                Registers = rows.Where(r => r.Family == key).ToList(),
                Source = f.GetProperty("source").GetString()!,
            };
            if (family.StateTable is not ("h1" or "kh" or "g2" or "raw"))
            {
                throw new FormatException($"{where}: stateTable '{family.StateTable}' must be h1, kh, g2 or raw");
            }

            foreach (var r in family.Registers)
            {
                for (var a = r.Address; a < r.Address + r.Words; a++)
                {
                    if (!family.IsAnswered(r.Space, a))
                    {
                        throw new FormatException($"fox-registers.csv line {r.Line}: {r.Field} at {r.Space} {a} lies outside the answered ranges of {key}");
                    }
                }
            }

            families.Add(key, family);
        }

        var orphan = rows.FirstOrDefault(r => !families.ContainsKey(r.Family));
        if (orphan is not null)
        {
            throw new FormatException($"fox-registers.csv line {orphan.Line}: unknown family '{orphan.Family}'");
        }

        return new FoxRegisterMap(families);
    }

    private static List<FoxRegister> ParseRows(string csv)
    {
        var rows = new List<FoxRegister>();
        var lineNo = 0;
        var headerSeen = false;
        foreach (var line in csv.Split('\n'))
        {
            lineNo++;
            var text = line.TrimEnd('\r');
            if (text.Length == 0 || text.StartsWith('#'))
            {
                continue;
            }

            var cells = text.Split(',', 9);
            if (!headerSeen)
            {
                if (text != "family,field,space,address,format,scale,unit,access,source")
                {
                    throw new FormatException($"fox-registers.csv line {lineNo}: unexpected header");
                }

                headerSeen = true;
                continue;
            }

            string Where(string column) => $"fox-registers.csv line {lineNo} column {column}";
            if (cells.Length != 9)
            {
                throw new FormatException($"fox-registers.csv line {lineNo}: expected 9 columns, found {cells.Length}");
            }

            if (!KnownFields.Contains(cells[1]))
            {
                throw new FormatException($"{Where("field")}: unknown field '{cells[1]}'");
            }

            if (!int.TryParse(cells[3], NumberStyles.None, CultureInfo.InvariantCulture, out var address) || address > 65534)
            {
                throw new FormatException($"{Where("address")}: '{cells[3]}' is not an address");
            }

            var format = cells[4] switch
            {
                "u16" => RegisterFormat.U16,
                "i16" => RegisterFormat.I16,
                "u32" => RegisterFormat.U32,
                "i32" => RegisterFormat.I32,
                _ => throw new FormatException($"{Where("format")}: '{cells[4]}' must be u16, i16, u32 or i32"),
            };
            if (!decimal.TryParse(cells[5], NumberStyles.Float, CultureInfo.InvariantCulture, out var scale) || scale == 0)
            {
                throw new FormatException($"{Where("scale")}: '{cells[5]}' is not a non-zero number");
            }

            var access = cells[7] switch
            {
                "r" => WriteClass.ReadOnly,
                "volatile" => WriteClass.Volatile,
                "persistent" => WriteClass.Persistent,
                _ => throw new FormatException($"{Where("access")}: '{cells[7]}' must be r, volatile or persistent"),
            };
            if (cells[8].Trim().Length == 0)
            {
                throw new FormatException($"{Where("source")}: every row names its source");
            }

            rows.Add(new FoxRegister(cells[0], cells[1], ParseSpace(cells[2], Where("space")), address, format, scale, cells[6], access, cells[8], lineNo));
        }

        var duplicate = rows.GroupBy(r => (r.Family, r.Space, r.Address)).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new FormatException($"fox-registers.csv line {duplicate.Last().Line}: {duplicate.Key.Family} {duplicate.Key.Space} {duplicate.Key.Address} is mapped twice");
        }

        return rows;
    }
}
