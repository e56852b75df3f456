using EdgeEnergy.Adapters.Modbus.FoxEss;
using EdgeEnergy.Simulation;
using EdgeEnergy.Adapters.Modbus.Transport;
using Microsoft.Extensions.Time.Testing;

namespace EdgeEnergy.Adapters.Modbus.Tests.Transport;

/// <summary>Frame decoders survive any bytes: random and mutated frames give a result or a <see cref="ModbusException"/>, nothing else.</summary>
public class FuzzTests
{
    private static readonly ModbusRequest[] s_requests =
    [
        ModbusRequest.Read(ModbusFunction.ReadHoldingRegisters, 31000, 39),
        ModbusRequest.Read(ModbusFunction.ReadInputRegisters, 11000, 3),
        ModbusRequest.Read(ModbusFunction.ReadCoils, 0, 19),
        ModbusRequest.Read(ModbusFunction.ReadDiscreteInputs, 7, 1),
        ModbusRequest.WriteSingleCoil(4, true),
        ModbusRequest.WriteSingleRegister(44000, 1),
        ModbusRequest.WriteMultipleCoils(0, [true, false, true]),
        ModbusRequest.WriteMultipleRegisters(44002, [0xFFFF, 0xF448]),
    ];

    /// <summary>xorshift64*: seeded and reproducible like <see cref="Random"/>, but fast enough for a million frames
    /// (a seeded System.Random fills bytes one at a time through its compatibility algorithm).</summary>
    private sealed class FastRandom(ulong seed)
    {
        private ulong _state = seed == 0 ? 0x9E3779B97F4A7C15 : seed;

        private ulong NextUInt64()
        {
            _state ^= _state >> 12;
            _state ^= _state << 25;
            _state ^= _state >> 27;
            return _state * 0x2545F4914F6CDD1DUL;
        }

        public int Next(int maxExclusive) => (int)(NextUInt64() % (ulong)maxExclusive);

        public int Next(int minInclusive, int maxExclusive) => minInclusive + Next(maxExclusive - minInclusive);

        public void NextBytes(Span<byte> bytes)
        {
            while (bytes.Length >= 8)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes, NextUInt64());
                bytes = bytes[8..];
            }

            if (bytes.Length > 0)
            {
                Span<byte> last = stackalloc byte[8];
                System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(last, NextUInt64());
                last[..bytes.Length].CopyTo(bytes);
            }
        }
    }

    private static byte[] ValidReply(ModbusRequest request, FastRandom random)
    {
        switch (request.Function)
        {
            case ModbusFunction.ReadHoldingRegisters or ModbusFunction.ReadInputRegisters:
            {
                var data = new byte[2 * request.Count];
                random.NextBytes(data);
                return [(byte)request.Function, (byte)data.Length, .. data];
            }

            case ModbusFunction.ReadCoils or ModbusFunction.ReadDiscreteInputs:
            {
                var data = new byte[(request.Count + 7) / 8];
                random.NextBytes(data);
                return [(byte)request.Function, (byte)data.Length, .. data];
            }

            default:
                return request.Pdu[..5];
        }
    }

    private static byte[] Mutate(byte[] frame, FastRandom random)
    {
        var bytes = new List<byte>(frame);
        var edits = random.Next(1, 4);
        for (var i = 0; i < edits; i++)
        {
            switch (random.Next(5))
            {
                case 0 when bytes.Count > 0:
                    bytes[random.Next(bytes.Count)] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when bytes.Count > 0:
                    bytes[random.Next(bytes.Count)] = (byte)random.Next(256);
                    break;
                case 2:
                    bytes.Insert(random.Next(bytes.Count + 1), (byte)random.Next(256));
                    break;
                case 3 when bytes.Count > 0:
                    bytes.RemoveRange(random.Next(bytes.Count), 1);
                    break;
                default:
                    if (bytes.Count > 0)
                    {
                        var keep = random.Next(bytes.Count);
                        bytes.RemoveRange(keep, bytes.Count - keep);
                    }

                    break;
            }
        }

        return [.. bytes];
    }

    [Fact]
    public void A_million_random_and_mutated_frames_yield_only_typed_errors()
    {
        var random = new FastRandom(20261127);
        var bank = new MemoryBank();
        var core = new ModbusServerCore(new Dictionary<byte, IModbusRegisterBank> { [1] = bank, [247] = bank });
        long frames = 0, decoded = 0, typedErrors = 0;
        for (var i = 0; i < 1_000_000; i++)
        {
            var request = s_requests[random.Next(s_requests.Length)];
            var unit = (byte)(random.Next(4) == 0 ? random.Next(256) : 247);
            byte[] frame;
            var kind = random.Next(4);
            if (kind == 0)
            {
                frame = new byte[random.Next(0, 262)];
                random.NextBytes(frame);
            }
            else
            {
                var pdu = random.Next(3) == 0 ? request.Pdu : ValidReply(request, random);
                var valid = kind == 1 ? MbapCodec.Encode((ushort)random.Next(65536), unit, pdu) : RtuCodec.Encode(unit, pdu);
                frame = random.Next(8) == 0 ? valid : Mutate(valid, random);
            }

            frames++;
            // TCP client path: MBAP header, then the reply check. The decoders return their typed error (what the
            // throwing wrappers throw) so a million frames take seconds, not the cost of a million stack traces.
            ModbusException? error = MbapCodec.TryDecodeHeader(frame, out _, out var u, out var pduLength);
            if (error is null && frame.Length >= MbapCodec.HeaderLength + pduLength)
            {
                error = request.TryParseReply(u, frame.AsSpan(MbapCodec.HeaderLength, pduLength), out var reply);
                decoded += reply is null ? 0 : 1;
            }

            typedErrors += error is null ? 0 : 1;

            // RTU client path.
            if (RtuCodec.TryDecodeResponse(frame, out var length) == RtuDecodeStatus.Frame)
            {
                error = request.TryParseReply(frame[0], frame.AsSpan(1, length - 3), out var reply);
                decoded += reply is null ? 0 : 1;
                typedErrors += error is null ? 0 : 1;
            }

            if (i % 50 == 0)
            {
                // The throwing wrappers the transports use throw the same typed errors, and nothing else.
                try
                {
                    if (MbapCodec.TryDecode(frame, out _, out var unitId, out var pdu, out _))
                    {
                        request.ParseReply(unitId, pdu);
                    }
                }
                catch (ModbusException)
                {
                }
            }

            // Server path: RTU request framing, then the request decoder; its answer is always a well-formed reply.
            RtuCodec.TryDecodeRequest(frame, out _);
            var answer = core.Handle(unit, frame.AsSpan(Math.Min(frame.Length, kind == 1 ? 7 : 1)));
            if (answer is not null)
            {
                if (answer.Length < 2 || answer.Length > 253 || ((answer[0] & 0x80) != 0 && answer.Length != 2))
                {
                    Assert.Fail($"server answered {Convert.ToHexString(answer)} to {Convert.ToHexString(frame)}");
                }
            }
        }

        Assert.Equal(1_000_000, frames);
        Assert.True(typedErrors > 100_000, $"only {typedErrors} typed errors: the mutations are too gentle");
        Assert.True(decoded > 10_000, $"only {decoded} frames decoded: the generator never produces valid frames");
    }

    [Fact]
    public void The_simulated_inverter_answers_hostile_requests_with_exceptions_not_crashes()
    {
        var random = new Random(7);
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-27T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        foreach (var family in FoxRegisterMap.Embedded.Families.Values)
        {
            var sim = new SimulatedFoxEss(family, time);
            var core = new ModbusServerCore(new Dictionary<byte, IModbusRegisterBank> { [247] = sim });
            for (var i = 0; i < 20_000; i++)
            {
                var pdu = new byte[random.Next(0, 12)];
                random.NextBytes(pdu);
                if (pdu.Length > 0 && random.Next(2) == 0)
                {
                    pdu[0] = (byte)(new byte[] { 3, 4, 6, 16 })[random.Next(4)];
                }

                if (pdu.Length >= 3 && random.Next(2) == 0)
                {
                    // aim at the mapped area so writes hit real registers
                    var r = family.Registers[random.Next(family.Registers.Count)];
                    pdu[1] = (byte)(r.Address >> 8);
                    pdu[2] = (byte)r.Address;
                }

                var answer = core.Handle(247, pdu)!;
                Assert.True(answer.Length >= 2);
            }

            time.Advance(TimeSpan.FromMinutes(5));
            Assert.InRange(sim.SocPercent, 0, 100); // whatever was written, physics stays physical
        }
    }
}
