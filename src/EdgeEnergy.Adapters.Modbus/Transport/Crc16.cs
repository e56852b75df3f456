namespace EdgeEnergy.Adapters.Modbus.Transport;

/// <summary>CRC-16/MODBUS (poly 0xA001 reflected, init 0xFFFF), sent low byte first.</summary>
public static class Crc16
{
    private static readonly ushort[] s_table = BuildTable();

    private static ushort[] BuildTable()
    {
        var table = new ushort[256];
        for (var i = 0; i < 256; i++)
        {
            var crc = (ushort)i;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (ushort)((crc >> 1) ^ 0xA001) : (ushort)(crc >> 1);
            }

            table[i] = crc;
        }

        return table;
    }

    public static ushort Compute(ReadOnlySpan<byte> data)
    {
        ushort crc = 0xFFFF;
        foreach (var b in data)
        {
            crc = (ushort)((crc >> 8) ^ s_table[(crc ^ b) & 0xFF]);
        }

        return crc;
    }
}
