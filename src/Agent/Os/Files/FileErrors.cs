using System.Runtime.InteropServices;

namespace NetbootPi.Agent.Os.Files;

/// <summary>
/// What went wrong with a file, as a sentence. The shipped agent is built without the runtime's message texts
/// (UseSystemResourceKeys), where an exception's message is a resource key like <c>IO_FileNotFound_FileName</c>:
/// these come from the exception's type, the errno it carries, and libc's own strerror(3).
/// </summary>
public static class FileErrors
{
    /// <summary>"PATH: no such file", "PATH: is a directory", "PATH: permission denied", "PATH: No space left on device", ...</summary>
    public static string Describe(Exception error, string path) => $"{path}: {Reason(error, path)}";

    /// <summary>The reason alone, as <see cref="Describe"/> words it.</summary>
    public static string Reason(Exception error, string path) => error switch
    {
        // EISDIR surfaces as an access refusal when a directory is opened as a file.
        UnauthorizedAccessException when Directory.Exists(path) => "is a directory",
        UnauthorizedAccessException => "permission denied",
        FileNotFoundException => "no such file",
        DirectoryNotFoundException => "no such file or directory",
        PathTooLongException => "the path is too long",
        IOException { HResult: > 0 and < 4096 } io => Marshal.GetPInvokeErrorMessage(io.HResult),
        IOException when Directory.Exists(path) => "is a directory",
        _ => error.GetType().Name.Replace("Exception", "", StringComparison.Ordinal) switch
        {
            "" or "IO" => "input/output error",
            var kind => kind,
        },
    };
}
