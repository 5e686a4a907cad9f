namespace NetbootPi.Protocols.Files;

/// <summary>What one statx(2) of an open file says about it: enough to serve it.</summary>
public readonly record struct FileStatus(bool IsRegularFile, long Length, DateTime LastWriteUtc);
