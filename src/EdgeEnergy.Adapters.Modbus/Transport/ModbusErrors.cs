namespace EdgeEnergy.Adapters.Modbus.Transport;

/// <summary>Function codes we speak.</summary>
public enum ModbusFunction : byte
{
    ReadCoils = 0x01,
    ReadDiscreteInputs = 0x02,
    ReadHoldingRegisters = 0x03,
    ReadInputRegisters = 0x04,
    WriteSingleCoil = 0x05,
    WriteSingleRegister = 0x06,
    WriteMultipleCoils = 0x0F,
    WriteMultipleRegisters = 0x10,
}

/// <summary>Exception codes of a Modbus exception reply (Modbus Application Protocol v1.1b3, section 7).</summary>
public enum ModbusExceptionCode : byte
{
    IllegalFunction = 0x01,
    IllegalDataAddress = 0x02,
    IllegalDataValue = 0x03,
    ServerDeviceFailure = 0x04,
    Acknowledge = 0x05,
    ServerDeviceBusy = 0x06,
    MemoryParityError = 0x08,
    GatewayPathUnavailable = 0x0A,
    GatewayTargetFailedToRespond = 0x0B,
}

/// <summary>Base of every error our Modbus stack raises; nothing else escapes a frame decoder.</summary>
public class ModbusException : Exception
{
    public ModbusException() { }
    public ModbusException(string message) : base(message) { }
    public ModbusException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>The device answered with an exception reply.</summary>
public sealed class ModbusDeviceException : ModbusException
{
    public ModbusDeviceException(ModbusFunction function, byte unit, ushort address, ModbusExceptionCode code)
        : base($"Modbus exception {(byte)code} ({code}) from unit {unit} for function {(byte)function:D2} ({function}) at address {address}")
    {
        Function = function;
        Unit = unit;
        Address = address;
        Code = code;
    }

    public ModbusDeviceException() { }
    public ModbusDeviceException(string message) : base(message) { }
    public ModbusDeviceException(string message, Exception innerException) : base(message, innerException) { }

    public ModbusFunction Function { get; }
    public byte Unit { get; }
    public ushort Address { get; }
    public ModbusExceptionCode Code { get; }
}

/// <summary>A frame or reply that breaks the protocol (bad length, CRC, echo, function or byte count).</summary>
public sealed class ModbusProtocolException : ModbusException
{
    public ModbusProtocolException() { }
    public ModbusProtocolException(string message) : base(message) { }
    public ModbusProtocolException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>No matching reply arrived within the request timeout.</summary>
public sealed class ModbusTimeoutException : ModbusException
{
    public ModbusTimeoutException() { }
    public ModbusTimeoutException(string message) : base(message) { }
    public ModbusTimeoutException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>The connection could not be opened or broke (socket or serial port error, peer closed).</summary>
public sealed class ModbusTransportException : ModbusException
{
    public ModbusTransportException() { }
    public ModbusTransportException(string message) : base(message) { }
    public ModbusTransportException(string message, Exception innerException) : base(message, innerException) { }
}
