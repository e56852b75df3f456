using System.IO.Ports;
using EdgeEnergy.Adapters.Modbus.Transport;

namespace EdgeEnergy.Adapters.Modbus.Tests.Transport;

public class EndpointTests
{
    [Fact]
    public void Serial_uri_gives_device_baud_parity_and_stop_bits()
    {
        var e = ModbusEndpoint.Parse("rtu:///dev/ttyUSB0?baud=19200&parity=even&stop=2");
        Assert.Equal(ModbusEndpointKind.RtuSerial, e.Kind);
        Assert.Equal("/dev/ttyUSB0", e.DevicePath);
        Assert.Equal(19200, e.BaudRate);
        Assert.Equal(Parity.Even, e.Parity);
        Assert.Equal(StopBits.Two, e.StopBits);
        Assert.Equal(12, e.BitsPerCharacter);
    }

    [Fact]
    public void Silent_interval_is_three_and_a_half_characters_and_fixed_above_19200()
    {
        // 9600 8N1: 10 bits per character, 3.5 characters = 3.646 ms.
        Assert.Equal(3.646, ModbusEndpoint.Parse("rtu:///dev/ttyS0?baud=9600").SilentInterval.TotalMilliseconds, 3);
        Assert.Equal(1.75, ModbusEndpoint.Parse("rtu:///dev/ttyS0?baud=115200").SilentInterval.TotalMilliseconds, 3);
    }

    [Fact]
    public void Tcp_and_rtu_over_tcp_share_a_bus_key_and_default_to_port_502()
    {
        var tcp = ModbusEndpoint.Parse("tcp://192.168.1.20");
        Assert.Equal(502, tcp.Port);
        Assert.Equal(tcp.BusKey, ModbusEndpoint.Parse("rtu-over-tcp://192.168.1.20:502").BusKey);
    }

    [Fact]
    public void Mixing_framings_on_one_bus_is_refused_and_same_endpoint_shares_one_connection()
    {
        var registry = new ModbusBusRegistry(TimeProvider.System);
        var a = registry.Acquire(ModbusEndpoint.Parse("tcp://127.0.0.1:1502"), new ModbusBusOptions());
        var b = registry.Acquire(ModbusEndpoint.Parse("tcp://127.0.0.1:1502"), new ModbusBusOptions());
        Assert.Same(a.Bus, b.Bus);
        Assert.Throws<InvalidOperationException>(() => registry.Acquire(ModbusEndpoint.Parse("rtu-over-tcp://127.0.0.1:1502"), new ModbusBusOptions()));
    }

    [Theory]
    [InlineData("modbus://x", "unknown scheme")]
    [InlineData("tcp://host:99999", "port")]
    [InlineData("tcp://:502", "missing host")]
    [InlineData("rtu://dev/ttyUSB0", "absolute device path")]
    [InlineData("rtu:///dev/ttyUSB0?baud=fast", "baud='fast'")]
    [InlineData("rtu:///dev/ttyUSB0?parity=mark", "parity='mark'")]
    [InlineData("rtu:///dev/ttyUSB0?stop=3", "stop='3'")]
    [InlineData("rtu:///dev/ttyUSB0?speed=9600", "unknown option 'speed'")]
    [InlineData("192.168.1.2:502", "expected tcp://")]
    public void Bad_uris_say_what_is_wrong(string uri, string reason)
    {
        var e = Assert.Throws<FormatException>(() => ModbusEndpoint.Parse(uri));
        Assert.Contains(reason, e.Message);
        Assert.Contains(uri, e.Message);
    }
}
