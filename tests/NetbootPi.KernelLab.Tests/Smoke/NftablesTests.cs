using NetbootPi.KernelLab.Tests.Support;

namespace NetbootPi.KernelLab.Tests.Smoke;

/// <summary>nftables in the kernel, loaded from a file as the agent's rendered rules will be.</summary>
[Collection(SystemdLabCollection.Name)]
public class NftablesTests(SystemdLabFixture lab)
{
    [Fact]
    public async Task Nft_loads_a_table_from_a_file_and_its_rule_sees_packets()
    {
        var result = await lab.ShellAsync("""
            trap 'nft delete table inet nbp_lab 2>/dev/null || true; rm -f /tmp/nbp-lab.nft' EXIT
            cat > /tmp/nbp-lab.nft <<'NFT'
            table inet nbp_lab {
              chain input {
                type filter hook input priority 0; policy accept;
                iifname "lo" icmp type echo-request counter comment "nbp-lab-ping"
              }
            }
            NFT
            nft -f /tmp/nbp-lab.nft
            nft list tables | grep -x 'table inet nbp_lab'
            ping -c 2 -W 1 127.0.0.1 > /dev/null
            nft list chain inet nbp_lab input | grep -o 'counter packets [0-9]*'
            """, TestContext.Current.CancellationToken);

        result.EnsureSuccess();
        Assert.Equal("table inet nbp_lab\ncounter packets 2\n", result.Stdout);
    }
}
