namespace NetbootPi.Fuzz;

/// <summary>
/// One parser under the fuzzer: <see cref="Run"/> feeds it one input and throws <see cref="InvariantViolation"/>
/// when an invariant breaks (an exception escaping the parser is a finding too). Targets keep their buffers
/// between runs, as the agent keeps its receive buffers, so that a run allocates only what the parser does.
/// </summary>
public abstract class FuzzTarget : IDisposable
{
    /// <summary>The name bench/fuzz.sh and the corpus folders use.</summary>
    public abstract string Name { get; }

    /// <summary>Inputs that start the fuzzer off: the golden captures and test vectors of the tests.</summary>
    public abstract IEnumerable<KeyValuePair<string, byte[]>> Seeds();

    public abstract void Run(ReadOnlySpan<byte> input);

    /// <summary>
    /// No allocation proportional to a length field the input does not carry: what the parse allocated on this
    /// thread is bounded by a constant plus a multiple of the input's own length.
    /// </summary>
    protected static void CheckAllocation(string what, long allocatedBefore, int inputLength, long fixedBytes, long perInputByte)
    {
        var used = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        var bound = fixedBytes + perInputByte * inputLength;
        if (used > bound)
            throw new InvariantViolation($"{what} allocated {used} bytes for a {inputLength}-byte input (bound {bound})");
    }

    public virtual void Dispose() => GC.SuppressFinalize(this);

    protected static void Require(bool condition, string message)
    {
        if (!condition) throw new InvariantViolation(message);
    }
}
