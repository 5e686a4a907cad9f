using System.Runtime.InteropServices;

namespace NetbootPi.Hardware.Interop;

/// <summary>
/// ioctl request numbers computed as the kernel's <c>_IO/_IOR/_IOW/_IOWR</c> macros do for the machine the agent
/// runs on, never written as magic numbers: the same request has another number on another architecture.
/// </summary>
/// <remarks>
/// include/uapi/asm-generic/ioctl.h: nr in bits 0–7, type in 8–15, size in 16–29 and the direction in 30–31
/// (none 0, write 1, read 2), used by x86, arm, arm64, riscv and s390. powerpc and mips keep 13 bits of size and
/// 3 of direction (none 1, read 2, write 4): arch/powerpc/include/uapi/asm/ioctl.h.
/// </remarks>
public static class IoctlCode
{
    private static readonly bool ThreeDirectionBits = RuntimeInformation.ProcessArchitecture is Architecture.Ppc64le;

    private static uint None => ThreeDirectionBits ? 1u : 0u;
    private static uint Write => ThreeDirectionBits ? 4u : 1u;
    private static uint Read => 2u;
    private static int SizeBits => ThreeDirectionBits ? 13 : 14;

    /// <summary><c>_IO(type, nr)</c>: no argument.</summary>
    public static nuint Io(char type, int nr) => Compose(None, type, nr, 0);

    /// <summary><c>_IOR(type, nr, size)</c>: the kernel writes <paramref name="size"/> bytes to the argument.</summary>
    public static nuint Ior(char type, int nr, int size) => Compose(Read, type, nr, size);

    /// <summary><c>_IOW(type, nr, size)</c>: the kernel reads <paramref name="size"/> bytes from the argument.</summary>
    public static nuint Iow(char type, int nr, int size) => Compose(Write, type, nr, size);

    /// <summary><c>_IOWR(type, nr, size)</c>: both.</summary>
    public static nuint Iowr(char type, int nr, int size) => Compose(Read | Write, type, nr, size);

    private static nuint Compose(uint direction, char type, int nr, int size)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(nr, 0xff);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((int)type, 0xff);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(size, 1 << SizeBits);
        return (nuint)((direction << (16 + SizeBits)) | ((uint)size << 16) | ((uint)type << 8) | (uint)nr);
    }
}
