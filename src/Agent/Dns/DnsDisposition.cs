namespace NetbootPi.Agent.Dns;

/// <summary>What became of a query handed to <see cref="DnsAnswerer"/>.</summary>
public enum DnsDisposition
{
    /// <summary>The writer holds the response (an answer, a negative answer, or an error code).</summary>
    Answered,
    /// <summary>Not the site's name, and the site has upstream resolvers: forward it.</summary>
    Forward,
    /// <summary>No response: not a query at all (too short for a header, or itself a response).</summary>
    Drop,
}
