using System.Buffers.Binary;

namespace EdgeEnergy.Adapters.Modbus.Transport;

/// <summary>Modbus TCP application header (MBAP): transaction id, protocol id 0, length, unit id; then the PDU.</summary>
public static class MbapCodec
{
    public const int HeaderLength = 7;
    /// <summary>The largest PDU (253 bytes) plus the unit id.</summary>
    public const int MaxLengthField = 254;

    public static byte[] Encode(ushort transactionId, byte unit, ReadOnlySpan<byte> pdu)
    {
        var frame = new byte[HeaderLength + pdu.Length];
        BinaryPrimitives.WriteUInt16BigEndian(frame, transactionId);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), 0);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(4), (ushort)(pdu.Length + 1));
        frame[6] = unit;
        pdu.CopyTo(frame.AsSpan(HeaderLength));
        return frame;
    }

    /// <summary>Reads a header; returns the PDU length that follows. Throws <see cref="ModbusProtocolException"/> when
    /// the protocol id is not 0 or the length is impossible (the stream cannot be resynchronised after that).</summary>
    public static int DecodeHeader(ReadOnlySpan<byte> header, out ushort transactionId, out byte unit) =>
        TryDecodeHeader(header, out transactionId, out unit, out var pduLength) is { } error ? throw error : pduLength;

    /// <summary>The decoder behind <see cref="DecodeHeader"/>: never throws; returns the typed error instead.</summary>
    public static ModbusProtocolException? TryDecodeHeader(ReadOnlySpan<byte> header, out ushort transactionId, out byte unit, out int pduLength)
    {
        transactionId = 0;
        unit = 0;
        pduLength = 0;
        if (header.Length < HeaderLength)
        {
            return new ModbusProtocolException($"MBAP header needs {HeaderLength} bytes, got {header.Length}");
        }

        transactionId = BinaryPrimitives.ReadUInt16BigEndian(header);
        var protocol = BinaryPrimitives.ReadUInt16BigEndian(header[2..]);
        var length = BinaryPrimitives.ReadUInt16BigEndian(header[4..]);
        unit = header[6];
        if (protocol != 0)
        {
            return new ModbusProtocolException($"MBAP protocol id {protocol}, expected 0 (transaction {transactionId})");
        }

        if (length < 2 || length > MaxLengthField)
        {
            return new ModbusProtocolException($"MBAP length {length} outside 2..{MaxLengthField} (transaction {transactionId})");
        }

        pduLength = length - 1;
        return null;
    }

    /// <summary>Decodes one whole frame from the start of <paramref name="buffer"/>: false when more bytes are needed.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> buffer, out ushort transactionId, out byte unit, out byte[] pdu, out int consumed)
    {
        pdu = [];
        consumed = 0;
        transactionId = 0;
        unit = 0;
        if (buffer.Length < HeaderLength)
        {
            return false;
        }

        var pduLength = DecodeHeader(buffer, out transactionId, out unit);
        if (buffer.Length < HeaderLength + pduLength)
        {
            return false;
        }

        pdu = buffer.Slice(HeaderLength, pduLength).ToArray();
        consumed = HeaderLength + pduLength;
        return true;
    }
}

/// <summary>What the RTU decoder found at the start of a buffer.</summary>
public enum RtuDecodeStatus
{
    /// <summary>Not enough bytes yet.</summary>
    NeedMore,
    /// <summary>A whole frame with a good CRC.</summary>
    Frame,
    /// <summary>The first byte cannot start a valid frame (bad function, length or CRC): drop it and look again.</summary>
    Garbage,
}

/// <summary>Modbus RTU: unit id, PDU, CRC-16 low byte first. Frame lengths follow from the function code, so the decoder
/// finds frames in a byte stream (RTU over TCP has no silent intervals; on serial lines it also resynchronises).</summary>
public static class RtuCodec
{
    public const int MaxFrameLength = 256;

    public static byte[] Encode(byte unit, ReadOnlySpan<byte> pdu)
    {
        var frame = new byte[pdu.Length + 3];
        frame[0] = unit;
        pdu.CopyTo(frame.AsSpan(1));
        var crc = Crc16.Compute(frame.AsSpan(0, pdu.Length + 1));
        frame[^2] = (byte)(crc & 0xFF);
        frame[^1] = (byte)(crc >> 8);
        return frame;
    }

    /// <summary>Expected length of a reply frame starting at buffer[0], or 0 when more bytes are needed, -1 when impossible.</summary>
    private static int ResponseLength(ReadOnlySpan<byte> buffer)
    {
        if (buffer.Length < 2)
        {
            return 0;
        }

        var function = buffer[1];
        if ((function & 0x80) != 0)
        {
            return (function & 0x7F) is >= 1 and <= 0x2B ? 5 : -1;
        }

        switch ((ModbusFunction)function)
        {
            case ModbusFunction.ReadCoils or ModbusFunction.ReadDiscreteInputs or ModbusFunction.ReadHoldingRegisters or ModbusFunction.ReadInputRegisters:
                if (buffer.Length < 3)
                {
                    return 0;
                }

                return buffer[2] == 0 ? -1 : 5 + buffer[2];
            case ModbusFunction.WriteSingleCoil or ModbusFunction.WriteSingleRegister or ModbusFunction.WriteMultipleCoils or ModbusFunction.WriteMultipleRegisters:
                return 8;
            default:
                return -1;
        }
    }

    /// <summary>Expected length of a request frame starting at buffer[0] (server side).</summary>
    private static int RequestLength(ReadOnlySpan<byte> buffer)
    {
        if (buffer.Length < 2)
        {
            return 0;
        }

        switch ((ModbusFunction)buffer[1])
        {
            case ModbusFunction.ReadCoils or ModbusFunction.ReadDiscreteInputs or ModbusFunction.ReadHoldingRegisters or ModbusFunction.ReadInputRegisters
                or ModbusFunction.WriteSingleCoil or ModbusFunction.WriteSingleRegister:
                return 8;
            case ModbusFunction.WriteMultipleCoils or ModbusFunction.WriteMultipleRegisters:
                if (buffer.Length < 7)
                {
                    return 0;
                }

                return buffer[6] == 0 ? -1 : 9 + buffer[6];
            default:
                return -1;
        }
    }

    public static RtuDecodeStatus TryDecodeResponse(ReadOnlySpan<byte> buffer, out int frameLength) => TryDecode(buffer, ResponseLength(buffer), out frameLength);

    /// <summary>True when <paramref name="buffer"/> starts with a whole response frame (by its function and length) whose CRC does not match.</summary>
    public static bool FailsCrc(ReadOnlySpan<byte> buffer)
    {
        var length = ResponseLength(buffer);
        return length > 0 && length <= MaxFrameLength && buffer.Length >= length && TryDecode(buffer, length, out _) == RtuDecodeStatus.Garbage;
    }

    public static RtuDecodeStatus TryDecodeRequest(ReadOnlySpan<byte> buffer, out int frameLength) => TryDecode(buffer, RequestLength(buffer), out frameLength);

    private static RtuDecodeStatus TryDecode(ReadOnlySpan<byte> buffer, int length, out int frameLength)
    {
        frameLength = 0;
        if (length < 0 || length > MaxFrameLength)
        {
            return RtuDecodeStatus.Garbage;
        }

        if (length == 0 || buffer.Length < length)
        {
            return RtuDecodeStatus.NeedMore;
        }

        var crc = Crc16.Compute(buffer[..(length - 2)]);
        if (buffer[length - 2] != (byte)(crc & 0xFF) || buffer[length - 1] != (byte)(crc >> 8))
        {
            return RtuDecodeStatus.Garbage;
        }

        frameLength = length;
        return RtuDecodeStatus.Frame;
    }
}
