using System.Buffers.Binary;

namespace EdgeEnergy.Adapters.Modbus.Transport;

/// <summary>A request PDU (function code + data) with what is needed to check its reply.</summary>
public sealed class ModbusRequest
{
    public const int MaxReadRegisters = 125;
    public const int MaxWriteRegisters = 123;
    public const int MaxReadBits = 2000;
    public const int MaxWriteBits = 1968;

    private ModbusRequest(ModbusFunction function, ushort address, ushort count, byte[] pdu)
    {
        Function = function;
        Address = address;
        Count = count;
        Pdu = pdu;
    }

    public ModbusFunction Function { get; }
    public ushort Address { get; }
    /// <summary>Registers or bits read or written.</summary>
    public ushort Count { get; }
    public byte[] Pdu { get; }

    public bool IsWrite => Function is ModbusFunction.WriteSingleCoil or ModbusFunction.WriteSingleRegister
        or ModbusFunction.WriteMultipleCoils or ModbusFunction.WriteMultipleRegisters;

    public override string ToString() => $"FC{(byte)Function:D2} {Function} address {Address} count {Count}";

    public static ModbusRequest Read(ModbusFunction function, ushort address, int count)
    {
        var max = function switch
        {
            ModbusFunction.ReadCoils or ModbusFunction.ReadDiscreteInputs => MaxReadBits,
            ModbusFunction.ReadHoldingRegisters or ModbusFunction.ReadInputRegisters => MaxReadRegisters,
            _ => throw new ArgumentException($"{function} is not a read function", nameof(function)),
        };
        CheckRange(address, count, max);
        var pdu = new byte[5];
        pdu[0] = (byte)function;
        BinaryPrimitives.WriteUInt16BigEndian(pdu.AsSpan(1), address);
        BinaryPrimitives.WriteUInt16BigEndian(pdu.AsSpan(3), (ushort)count);
        return new ModbusRequest(function, address, (ushort)count, pdu);
    }

    public static ModbusRequest WriteSingleCoil(ushort address, bool on)
    {
        var pdu = new byte[5];
        pdu[0] = (byte)ModbusFunction.WriteSingleCoil;
        BinaryPrimitives.WriteUInt16BigEndian(pdu.AsSpan(1), address);
        BinaryPrimitives.WriteUInt16BigEndian(pdu.AsSpan(3), on ? (ushort)0xFF00 : (ushort)0x0000);
        return new ModbusRequest(ModbusFunction.WriteSingleCoil, address, 1, pdu);
    }

    public static ModbusRequest WriteSingleRegister(ushort address, ushort value)
    {
        var pdu = new byte[5];
        pdu[0] = (byte)ModbusFunction.WriteSingleRegister;
        BinaryPrimitives.WriteUInt16BigEndian(pdu.AsSpan(1), address);
        BinaryPrimitives.WriteUInt16BigEndian(pdu.AsSpan(3), value);
        return new ModbusRequest(ModbusFunction.WriteSingleRegister, address, 1, pdu);
    }

    public static ModbusRequest WriteMultipleRegisters(ushort address, ReadOnlySpan<ushort> values)
    {
        CheckRange(address, values.Length, MaxWriteRegisters);
        var pdu = new byte[6 + (values.Length * 2)];
        pdu[0] = (byte)ModbusFunction.WriteMultipleRegisters;
        BinaryPrimitives.WriteUInt16BigEndian(pdu.AsSpan(1), address);
        BinaryPrimitives.WriteUInt16BigEndian(pdu.AsSpan(3), (ushort)values.Length);
        pdu[5] = (byte)(values.Length * 2);
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(pdu.AsSpan(6 + (2 * i)), values[i]);
        }

        return new ModbusRequest(ModbusFunction.WriteMultipleRegisters, address, (ushort)values.Length, pdu);
    }

    public static ModbusRequest WriteMultipleCoils(ushort address, ReadOnlySpan<bool> values)
    {
        CheckRange(address, values.Length, MaxWriteBits);
        var byteCount = (values.Length + 7) / 8;
        var pdu = new byte[6 + byteCount];
        pdu[0] = (byte)ModbusFunction.WriteMultipleCoils;
        BinaryPrimitives.WriteUInt16BigEndian(pdu.AsSpan(1), address);
        BinaryPrimitives.WriteUInt16BigEndian(pdu.AsSpan(3), (ushort)values.Length);
        pdu[5] = (byte)byteCount;
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i])
            {
                pdu[6 + (i / 8)] |= (byte)(1 << (i % 8));
            }
        }

        return new ModbusRequest(ModbusFunction.WriteMultipleCoils, address, (ushort)values.Length, pdu);
    }

    private static void CheckRange(ushort address, int count, int max)
    {
        if (count < 1 || count > max)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"count must be 1..{max}");
        }

        if (address + count > 65536)
        {
            throw new ArgumentOutOfRangeException(nameof(address), address, $"address {address} + count {count} runs past 65535");
        }
    }

    /// <summary>Checks a reply PDU against this request; throws <see cref="ModbusDeviceException"/> on an exception reply
    /// and <see cref="ModbusProtocolException"/> on anything malformed. Returns the register values (reads of registers),
    /// the bits (reads of coils) or nothing (writes).</summary>
    public ModbusReply ParseReply(byte unit, ReadOnlySpan<byte> pdu)
    {
        if (pdu.Length == 0)
        {
            throw new ModbusProtocolException($"empty reply from unit {unit} to {this}");
        }

        if (pdu[0] == ((byte)Function | 0x80))
        {
            if (pdu.Length != 2)
            {
                throw new ModbusProtocolException($"exception reply from unit {unit} to {this} has {pdu.Length} bytes, expected 2");
            }

            throw new ModbusDeviceException(Function, unit, Address, (ModbusExceptionCode)pdu[1]);
        }

        if (pdu[0] != (byte)Function)
        {
            throw new ModbusProtocolException($"reply from unit {unit} has function 0x{pdu[0]:X2}, expected 0x{(byte)Function:X2} for {this}");
        }

        switch (Function)
        {
            case ModbusFunction.ReadHoldingRegisters or ModbusFunction.ReadInputRegisters:
            {
                var expected = Count * 2;
                if (pdu.Length < 2 || pdu[1] != expected || pdu.Length != 2 + expected)
                {
                    throw new ModbusProtocolException($"reply from unit {unit} to {this} has byte count {(pdu.Length > 1 ? pdu[1] : -1)} and {pdu.Length} bytes, expected {expected} data bytes");
                }

                var values = new ushort[Count];
                for (var i = 0; i < Count; i++)
                {
                    values[i] = BinaryPrimitives.ReadUInt16BigEndian(pdu[(2 + (2 * i))..]);
                }

                return new ModbusReply(values, null);
            }

            case ModbusFunction.ReadCoils or ModbusFunction.ReadDiscreteInputs:
            {
                var expected = (Count + 7) / 8;
                if (pdu.Length < 2 || pdu[1] != expected || pdu.Length != 2 + expected)
                {
                    throw new ModbusProtocolException($"reply from unit {unit} to {this} has byte count {(pdu.Length > 1 ? pdu[1] : -1)} and {pdu.Length} bytes, expected {expected} data bytes");
                }

                var bits = new bool[Count];
                for (var i = 0; i < Count; i++)
                {
                    bits[i] = (pdu[2 + (i / 8)] & (1 << (i % 8))) != 0;
                }

                return new ModbusReply(null, bits);
            }

            default:
            {
                // Writes echo function, address and value (single) or address and quantity (multiple).
                if (pdu.Length != 5 || !pdu[..5].SequenceEqual(Pdu.AsSpan(0, 5)))
                {
                    throw new ModbusProtocolException($"reply from unit {unit} to {this} does not echo the request ({Convert.ToHexString(pdu)})");
                }

                return new ModbusReply(null, null);
            }
        }
    }
}

/// <summary>What a reply carried: registers, bits, or nothing for a write.</summary>
public sealed record ModbusReply(ushort[]? Registers, bool[]? Bits);
