namespace Autopilot.Platforms.Secrets.Gcp;

/// <summary>
/// CRC-32C (Castagnoli), the checksum Secret Manager attaches to payloads as <c>dataCrc32c</c>. Checking it
/// catches a payload corrupted between Google and us before it is used as a credential.
/// </summary>
public static class Crc32C
{
    private const uint ReversedPolynomial = 0x82F63B78;

    private static readonly uint[] Table = BuildTable();

    /// <summary>Computes the checksum of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var value in data)
        {
            crc = Table[(crc ^ value) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < table.Length; i++)
        {
            var entry = i;
            for (var bit = 0; bit < 8; bit++)
            {
                entry = (entry & 1) != 0 ? (entry >> 1) ^ ReversedPolynomial : entry >> 1;
            }

            table[i] = entry;
        }

        return table;
    }
}
