namespace NetbootPi.Protocols.DBus;

/// <summary>What the bytes received so far hold: not yet a whole message, one whole message, or garbage.</summary>
public enum FrameStatus
{
    /// <summary>More bytes are needed; <see cref="FrameResult.Length"/> is the total when already known, else 0.</summary>
    NeedMore,
    /// <summary>The first <see cref="FrameResult.Length"/> bytes are one message.</summary>
    Complete,
    /// <summary>The stream cannot be a D-Bus message stream; <see cref="FrameResult.Error"/> says why.</summary>
    Malformed,
}

/// <summary>The outcome of <see cref="MessageFraming.Frame"/>.</summary>
public readonly record struct FrameResult(FrameStatus Status, int Length, MessageError Error)
{
    public static FrameResult NeedMore(int knownLength = 0) => new(FrameStatus.NeedMore, knownLength, MessageError.None);
    public static FrameResult Complete(int length) => new(FrameStatus.Complete, length, MessageError.None);
    public static FrameResult Malformed(MessageError error) => new(FrameStatus.Malformed, 0, error);
}
