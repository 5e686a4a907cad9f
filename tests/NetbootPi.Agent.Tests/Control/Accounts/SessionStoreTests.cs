using Microsoft.AspNetCore.Http;
using NetbootPi.Agent.Control;
using NetbootPi.Agent.Control.Accounts;

namespace NetbootPi.Agent.Tests.Control.Accounts;

/// <summary>Sessions' idle and absolute ends, the login limits and a scoped token's reach, on a fake clock.</summary>
public class SessionStoreTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 1, 0, 0, TimeSpan.Zero));

    [Fact]
    public void A_session_ends_when_idle_too_long()
    {
        var sessions = new SessionStore(_time, TimeSpan.FromMinutes(30), TimeSpan.FromHours(12));
        var (cookie, session) = sessions.Create("alice", ControlRole.Admin);
        Assert.NotEqual(cookie, session.Csrf);
        _time.Advance(TimeSpan.FromMinutes(29));
        Assert.NotNull(sessions.Find(cookie));
        // Each request starts the idle time again.
        _time.Advance(TimeSpan.FromMinutes(29));
        Assert.NotNull(sessions.Find(cookie));
        _time.Advance(TimeSpan.FromMinutes(30));
        Assert.Null(sessions.Find(cookie));
        Assert.Equal(0, sessions.Count);
        Assert.Null(sessions.Find(cookie + "x"));
    }

    [Fact]
    public void A_session_ends_at_its_absolute_end_however_busy()
    {
        var sessions = new SessionStore(_time, TimeSpan.FromMinutes(30), TimeSpan.FromHours(2));
        var (cookie, session) = sessions.Create("alice", ControlRole.Admin);
        for (var i = 0; i < 7; i++)
        {
            _time.Advance(TimeSpan.FromMinutes(17));
            Assert.NotNull(sessions.Find(cookie));
        }
        Assert.Equal(session.Started + TimeSpan.FromHours(2), sessions.EndOf(sessions.Find(cookie)!));
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(sessions.Find(cookie));
    }

    [Fact]
    public void Removing_a_user_ends_their_sessions_only()
    {
        var sessions = new SessionStore(_time, SessionStore.DefaultIdleTimeout, SessionStore.DefaultMaxAge);
        var (a1, _) = sessions.Create("alice", ControlRole.Admin);
        var (a2, _) = sessions.Create("alice", ControlRole.Admin);
        var (b, _) = sessions.Create("bob", ControlRole.Viewer);
        Assert.Equal(2, sessions.RemoveUser("alice"));
        Assert.Null(sessions.Find(a1));
        Assert.Null(sessions.Find(a2));
        Assert.Equal("bob", sessions.Find(b)?.User);
    }

    [Fact]
    public void Logins_are_limited_per_address_and_per_name_within_a_sliding_minute()
    {
        var limiter = new LoginLimiter(_time);
        for (var i = 0; i < LoginLimiter.PerUser; i++) Assert.Null(limiter.Attempt("10.0.0.5", "alice"));
        Assert.Equal(TimeSpan.FromMinutes(1), limiter.Attempt("10.0.0.6", "alice"));
        // Other names from the first address go on, up to its own limit.
        for (var i = LoginLimiter.PerUser; i < LoginLimiter.PerAddress; i++) Assert.Null(limiter.Attempt("10.0.0.5", $"u{i}"));
        Assert.NotNull(limiter.Attempt("10.0.0.5", "zed"));
        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(TimeSpan.FromSeconds(1), limiter.Attempt("10.0.0.7", "alice"));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(limiter.Attempt("10.0.0.7", "alice"));
        Assert.Null(limiter.Attempt("10.0.0.5", "zed"));
    }

    [Fact]
    public void A_spray_of_names_does_not_stay_in_memory_past_its_minute()
    {
        var limiter = new LoginLimiter(_time);
        for (var i = 0; i < 12_000; i++) limiter.Attempt($"10.{i / 250}.{i % 250}.1", $"n{i}");
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(limiter.Attempt("10.0.0.1", "n0"));
        Assert.Equal(2, limiter.Tracked);
    }

    [Fact]
    public void A_token_scoped_to_hosts_changes_only_what_concerns_them_and_reads_anything()
    {
        var scoped = new ApiToken("0123456789ab", "pi1 power", ControlRole.Operator, ["pi1"], new string('0', 64), _time.GetUtcNow(), null, null);
        var caller = new ControlCaller("token 0123456789ab", "from 10.0.0.5", ControlRole.Operator) { Token = scoped };
        static Task Nothing(HttpContext c, ControlCaller k) => Task.CompletedTask;
        var power = new ControlRoute("POST", "/api/v1/power", ControlRole.Operator, Changes: true, Nothing) { HostOf = c => c.Request.Query["host"] };
        var reload = new ControlRoute("POST", "/api/v1/site/reload", ControlRole.Admin, Changes: true, Nothing);
        var status = new ControlRoute("GET", "/api/v1/status", ControlRole.Viewer, Changes: false, Nothing);

        Assert.Null(ControlRouter.ScopeRefusal(caller, power, Request("?host=pi1")));
        Assert.Equal("token 0123456789ab (pi1 power) is scoped to hosts pi1, not pi2", ControlRouter.ScopeRefusal(caller, power, Request("?host=pi2")));
        Assert.Equal("token 0123456789ab (pi1 power) is scoped to hosts pi1; POST /api/v1/site/reload changes more than one host's things",
            ControlRouter.ScopeRefusal(caller, reload, Request("")));
        Assert.Null(ControlRouter.ScopeRefusal(caller, status, Request("")));
        // Unscoped tokens and other callers are not limited by hosts.
        var all = caller with { Token = scoped with { Hosts = [] } };
        Assert.Null(ControlRouter.ScopeRefusal(all, power, Request("?host=pi2")));
        Assert.Null(ControlRouter.ScopeRefusal(all, reload, Request("")));
    }

    private static DefaultHttpContext Request(string query) => new() { Request = { QueryString = new QueryString(query) } };
}
