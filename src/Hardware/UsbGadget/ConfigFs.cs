using System.Text;
using NetbootPi.Hardware.Interop;

namespace NetbootPi.Hardware.UsbGadget;

/// <summary>
/// Writes to configfs and sysfs attributes with write(2) itself, so that the kernel's answer (EBUSY from a locked
/// medium, EINVAL from a value it refuses) comes back as the errno and not as whatever exception a stream makes of it.
/// </summary>
internal static class ConfigFs
{
    /// <summary>Writes <paramref name="value"/> in one write(2); 0, or the errno.</summary>
    public static int TryWrite(string path, ReadOnlySpan<byte> value)
    {
        var fd = Libc.Open(Libc.PathBytes(path), Libc.O_WRONLY | Libc.O_CLOEXEC);
        if (fd < 0)
        {
            Libc.LastError(out var openErrno);
            return openErrno;
        }
        try
        {
            var bytes = value.ToArray();
            if (Libc.Write(fd, bytes, bytes.Length) < 0)
            {
                Libc.LastError(out var errno);
                return errno;
            }
            return 0;
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    public static int TryWrite(string path, string value) => TryWrite(path, Encoding.UTF8.GetBytes(value + "\n"));

    /// <summary>Writes <paramref name="value"/>, or throws naming the attribute, the value and the kernel's reason.</summary>
    public static void Write(string path, string value, string what)
    {
        var errno = TryWrite(path, value);
        if (errno != 0) throw new UsbGadgetException($"{path}: writing '{value}' ({what}) failed: {Reason(errno)}", errno);
    }

    public static void Write(string path, ReadOnlySpan<byte> value, string what)
    {
        var errno = TryWrite(path, value);
        if (errno != 0) throw new UsbGadgetException($"{path}: writing {what} failed: {Reason(errno)}", errno);
    }

    /// <summary>An attribute's text without its newline, or null when it cannot be read.</summary>
    public static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path).TrimEnd('\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static string Reason(int errno) => System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno);
}
