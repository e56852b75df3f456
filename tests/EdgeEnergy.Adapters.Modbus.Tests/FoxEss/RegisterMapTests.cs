using System.Globalization;
using EdgeEnergy.Adapters.Modbus.FoxEss;

namespace EdgeEnergy.Adapters.Modbus.Tests.FoxEss;

public class RegisterMapTests
{
    private static readonly FoxRegisterMap s_map = FoxRegisterMap.Embedded;

    public static TheoryData<string> Families() => [.. FoxRegisterMap.Embedded.Families.Keys];

    [Fact]
    public void All_six_families_load_from_the_data_files()
    {
        Assert.Equal(["h1-g2", "h1-lan", "h1-rs485", "h3", "h3-pro", "kh"], s_map.Families.Keys.Order(StringComparer.Ordinal));
        Assert.All(s_map.Families.Values, f => Assert.All(f.Registers, r => Assert.False(string.IsNullOrWhiteSpace(r.Source))));
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Every_family_has_the_core_telemetry_and_remote_control(string family)
    {
        var f = s_map[family];
        foreach (var field in new[] { "batterySocPercent", "batteryPowerW", "gridPowerW", "loadPowerW", "pv1PowerW", "pv2PowerW", "batteryTemperatureC", "remoteEnable", "remoteTimeoutSeconds", "remoteActivePowerW" })
        {
            Assert.True(f.Has(field), $"{family} lacks {field}");
        }

        Assert.All(f.Field("remoteActivePowerW").Concat(f.Field("remoteEnable")), r => Assert.Equal(WriteClass.Volatile, r.Access));
        Assert.All(f.Field("workMode").Concat(f.Field("minSocOnGridPercent")), r => Assert.Equal(WriteClass.Persistent, r.Access));
    }

    [Fact]
    public void Addresses_and_scales_agree_with_foxess_modbus_snapshots()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "fox", "fm-snapshot-slice.csv");
        var lines = File.ReadAllLines(path).Skip(1).Where(l => l.Length > 0).ToList();
        Assert.True(lines.Count > 60);
        foreach (var line in lines)
        {
            var c = line.Split(',');
            var rows = s_map[c[0]].Field(c[1]).ToList();
            var address = int.Parse(c[2], CultureInfo.InvariantCulture);
            var scale = decimal.Parse(c[3], CultureInfo.InvariantCulture);
            Assert.True(rows.Any(r => r.Address == address && Math.Abs(r.Scale) == scale), $"{line}: our map has {string.Join(" ", rows.Select(r => $"{r.Address}x{r.Scale}"))}");
        }
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Planned_blocks_respect_limits_invalid_ranges_and_single_register_rules(string family)
    {
        var f = s_map[family];
        foreach (var max in new[] { 8, 20, f.MaxRegistersPerRead, 125 })
        {
            var plan = FoxReadPlanner.Plan(f, f.Registers, max);
            foreach (var b in plan)
            {
                Assert.InRange(b.Count, 1, max);
                Assert.DoesNotContain(f.Invalid, r => r.Overlaps(b.Space, b.Start, b.End));
                for (var a = b.Start; a <= b.End; a++)
                {
                    Assert.True(f.IsAnswered(b.Space, a), $"{family} block {b} spans unanswered {a}");
                    if (f.IsSingleRegister(b.Space, a))
                    {
                        Assert.True(b.Count == 1 || f.Registers.Any(r => r.Address == b.Start && r.Words == b.Count), $"{family} block {b} reads {a} with others");
                    }
                }
            }

            // Every register word is covered, and no 32-bit value is split across blocks.
            foreach (var r in f.Registers)
            {
                Assert.Contains(plan, b => b.Space == r.Space && b.Start <= r.Address && b.End >= r.Address + r.Words - 1);
            }
        }
    }

    [Fact]
    public void H3_settings_are_read_one_register_per_request_and_never_across_41001_to_41006()
    {
        var f = s_map["h3"];
        var plan = FoxReadPlanner.Plan(f, f.Registers, 50);
        Assert.All(plan.Where(b => b.Start >= 41000 && b.Start <= 41999), b => Assert.Equal(1, b.Count));
        Assert.Contains(plan, b => b.Start == 44002 || (b.Start <= 44002 && b.End >= 44003));
    }

    [Fact]
    public void Planner_merges_nearby_registers_into_few_blocks()
    {
        var f = s_map["h1-lan"];
        var plan = FoxReadPlanner.Plan(f, f.Registers, 100);
        Assert.Equal(2, plan.Count); // 31000-31038 and 44000-44002
    }

    [Theory]
    [InlineData("h1-rs485,batteryPowerW,input,11008,i17,1,W,r,x", "line 3 column format")]
    [InlineData("h1-rs485,batteryPowerW,input,11008,i16,0,W,r,x", "line 3 column scale")]
    [InlineData("h1-rs485,batteryPowerWatts,input,11008,i16,1,W,r,x", "line 3 column field")]
    [InlineData("h1-rs485,batteryPowerW,coil,11008,i16,1,W,r,x", "line 3 column space")]
    [InlineData("h1-rs485,batteryPowerW,input,11008,i16,1,W,rw,x", "line 3 column access")]
    [InlineData("h1-rs485,batteryPowerW,input,11008,i16,1,W,r,", "line 3 column source")]
    [InlineData("h1-rs485,batteryPowerW,input,20000,i16,1,W,r,x", "outside the answered ranges")]
    [InlineData("h9,batteryPowerW,input,11008,i16,1,W,r,x", "unknown family 'h9'")]
    public void A_bad_map_row_is_refused_naming_line_and_column(string row, string expected)
    {
        var csv = "# comment\nfamily,field,space,address,format,scale,unit,access,source\n" + row + "\n";
        var json = """{ "families": [ { "key": "h1-rs485", "description": "d", "modelEncoding": "char-per-register", "simulatedModel": "H1", "lowVoltageBattery": true, "stateTable": "h1", "workModes": {}, "maxRegistersPerRead": 50, "answered": ["input:11000-11095"], "invalid": [], "singleRegister": [], "source": "s" } ] }""";
        var e = Assert.Throws<FormatException>(() => FoxRegisterMap.Load(csv, json));
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("H1-5.0-E", "h1")]
    [InlineData("AIO-H1-5.0", "h1")]
    [InlineData("H1-6.0-E-G2", "h1-g2")]
    [InlineData("AC1-5.0-E-G2", "h1-g2")]
    [InlineData("P1-6.0-E", "h1-g2")]
    [InlineData("KH10", "kh")]
    [InlineData(" H3-10.0-E", "h3")]
    [InlineData("AC3-8.0-E", "h3")]
    [InlineData("H3-Pro-15.0", "h3-pro")]
    [InlineData("H3-Smart-10.0", "h3-pro")]
    [InlineData("P3-Pro-20.0", "h3-pro")]
    [InlineData("X9000", null)]
    public void Model_strings_classify_into_families(string model, string? family) => Assert.Equal(family, FoxModel.Classify(model));

    [Fact]
    public void Model_strings_decode_in_both_register_packings()
    {
        Assert.Equal("H1-5.0-E", FoxModel.Decode(FoxModel.Encode("H1-5.0-E", charPerRegister: true)));
        Assert.Equal("H3-Pro-15.0", FoxModel.Decode(FoxModel.Encode("H3-Pro-15.0", charPerRegister: false)));
        Assert.Equal("H3-10.0-E", FoxModel.Decode(FoxModel.Encode(" H3-10.0-E", charPerRegister: true)));
    }
}
