using EdgeEnergy.Adapters.Modbus.Transport;

namespace EdgeEnergy.Adapters.Modbus.Tests.Transport;

/// <summary>Bytes on the wire, from the examples of the Modbus Application Protocol v1.1b3 and the serial-line guide.</summary>
public class ProtocolBytesTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", ""));

    [Theory]
    [InlineData("01 03 00 00 00 0A", 0xCDC5)]   // classic read request; sent as C5 CD
    [InlineData("31 32 33 34 35 36 37 38 39", 0x4B37)] // CRC-16/MODBUS check value of "123456789"
    [InlineData("11 03 00 6B 00 03", 0x8776)]   // spec example, sent as 76 87
    public void Crc16_matches_the_reference_vectors(string data, int crc) => Assert.Equal(crc, Crc16.Compute(Hex(data)));

    [Fact]
    public void Rtu_frame_appends_crc_low_byte_first() =>
        Assert.Equal(Hex("11 03 00 6B 00 03 76 87"), RtuCodec.Encode(0x11, Hex("03 00 6B 00 03")));

    [Fact]
    public void Request_pdus_match_the_specification_examples()
    {
        Assert.Equal(Hex("01 00 13 00 13"), ModbusRequest.Read(ModbusFunction.ReadCoils, 0x13, 19).Pdu);
        Assert.Equal(Hex("03 00 6B 00 03"), ModbusRequest.Read(ModbusFunction.ReadHoldingRegisters, 0x6B, 3).Pdu);
        Assert.Equal(Hex("04 00 08 00 01"), ModbusRequest.Read(ModbusFunction.ReadInputRegisters, 0x08, 1).Pdu);
        Assert.Equal(Hex("05 00 AC FF 00"), ModbusRequest.WriteSingleCoil(0xAC, true).Pdu);
        Assert.Equal(Hex("06 00 01 00 03"), ModbusRequest.WriteSingleRegister(0x01, 0x03).Pdu);
        Assert.Equal(Hex("0F 00 13 00 0A 02 CD 01"),
            ModbusRequest.WriteMultipleCoils(0x13, [true, false, true, true, false, false, true, true, true, false]).Pdu);
        Assert.Equal(Hex("10 00 01 00 02 04 00 0A 01 02"), ModbusRequest.WriteMultipleRegisters(0x01, [0x000A, 0x0102]).Pdu);
    }

    [Fact]
    public void Mbap_header_carries_transaction_protocol_length_and_unit() =>
        Assert.Equal(Hex("12 34 00 00 00 06 F7 03 00 6B 00 03"), MbapCodec.Encode(0x1234, 247, Hex("03 00 6B 00 03")));

    [Fact]
    public void Register_reply_decodes_big_endian_words()
    {
        var reply = ModbusRequest.Read(ModbusFunction.ReadHoldingRegisters, 0x6B, 3).ParseReply(0x11, Hex("03 06 02 2B 00 00 00 64"));
        Assert.Equal(new ushort[] { 555, 0, 100 }, reply.Registers);
    }

    [Fact]
    public void Coil_reply_decodes_lsb_first()
    {
        var reply = ModbusRequest.Read(ModbusFunction.ReadCoils, 0x13, 19).ParseReply(1, Hex("01 03 CD 6B 05"));
        var expected = new[] { true, false, true, true, false, false, true, true, true, true, false, true, false, true, true, false, true, false, true };
        Assert.Equal(expected, reply.Bits);
    }

    [Fact]
    public void Exception_reply_becomes_a_typed_error_naming_function_unit_address_and_code()
    {
        var request = ModbusRequest.Read(ModbusFunction.ReadInputRegisters, 11096, 4);
        var e = Assert.Throws<ModbusDeviceException>(() => request.ParseReply(247, Hex("84 02")));
        Assert.Equal(ModbusFunction.ReadInputRegisters, e.Function);
        Assert.Equal(247, e.Unit);
        Assert.Equal(11096, e.Address);
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, e.Code);
        Assert.Contains("unit 247", e.Message);
        Assert.Contains("function 04", e.Message);
        Assert.Contains("address 11096", e.Message);
        Assert.Contains("IllegalDataAddress", e.Message);
    }

    [Theory]
    [InlineData("03 04 00 01 00 02")]       // byte count 4 but 3 registers asked
    [InlineData("03 06 00 01 00 02 00")]    // truncated
    [InlineData("04 06 00 01 00 02 00 03")] // wrong function
    [InlineData("83")]                      // exception without code
    [InlineData("")]
    public void Malformed_register_replies_are_protocol_errors(string hex) =>
        Assert.Throws<ModbusProtocolException>(() => ModbusRequest.Read(ModbusFunction.ReadHoldingRegisters, 0, 3).ParseReply(1, Hex(hex)));

    [Fact]
    public void Write_reply_must_echo_the_request()
    {
        var request = ModbusRequest.WriteSingleRegister(44002, 0xFA24);
        request.ParseReply(1, request.Pdu); // the echo is accepted
        Assert.Throws<ModbusProtocolException>(() => request.ParseReply(1, Hex("06 AB E2 00 00")));
    }

    [Fact]
    public void Rtu_decoder_finds_frames_by_length_and_crc_and_flags_garbage()
    {
        var frame = RtuCodec.Encode(7, Hex("03 04 00 0A 00 0B"));
        Assert.Equal(RtuDecodeStatus.NeedMore, RtuCodec.TryDecodeResponse(frame.AsSpan(0, 5), out _));
        Assert.Equal(RtuDecodeStatus.Frame, RtuCodec.TryDecodeResponse(frame, out var length));
        Assert.Equal(frame.Length, length);
        frame[4] ^= 0x01;
        Assert.Equal(RtuDecodeStatus.Garbage, RtuCodec.TryDecodeResponse(frame, out _));
        Assert.Equal(RtuDecodeStatus.Frame, RtuCodec.TryDecodeResponse(RtuCodec.Encode(7, Hex("83 02")), out length));
        Assert.Equal(5, length);
    }

    [Fact]
    public void Impossible_mbap_headers_are_rejected()
    {
        Assert.Throws<ModbusProtocolException>(() => MbapCodec.DecodeHeader(Hex("00 01 00 01 00 06 01"), out _, out _)); // protocol 1
        Assert.Throws<ModbusProtocolException>(() => MbapCodec.DecodeHeader(Hex("00 01 00 00 01 00 01"), out _, out _)); // length 256
        Assert.Throws<ModbusProtocolException>(() => MbapCodec.DecodeHeader(Hex("00 01 00 00 00 01 01"), out _, out _)); // no function
    }

    [Fact]
    public void Requests_outside_the_protocol_limits_are_refused_before_sending()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ModbusRequest.Read(ModbusFunction.ReadHoldingRegisters, 0, 126));
        Assert.Throws<ArgumentOutOfRangeException>(() => ModbusRequest.Read(ModbusFunction.ReadHoldingRegisters, 65530, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => ModbusRequest.WriteMultipleRegisters(0, new ushort[124]));
    }
}
