using EhrShare.Testing;
using MySqlConnector;

namespace EhrShare.Infrastructure.Tests.ShareNodes;

public sealed class ShareNodeDatabaseTests
{
    public static TheoryData<int> Nodes()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < TestStack.ShareNodeCount; i++)
        {
            data.Add(i);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Nodes))]
    public async Task EachNode_IsReachableWithItsOwnConnectionString_AndHasItsSharesTable(int index)
    {
        await using var connection = new MySqlConnection(TestStack.ShareNodeConnectionString(index));
        await connection.OpenAsync();
        Assert.Equal($"ehr_node_{index + 1}", connection.Database);
        await using var command = new MySqlCommand(
            "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'shares'",
            connection);
        Assert.True(Convert.ToInt32(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) >= 3);
    }

    [Fact]
    public async Task ANodesCredentials_DoNotOpenAnotherNode()
    {
        var first = new MySqlConnectionStringBuilder(TestStack.ShareNodeConnectionString(0)) { Database = "ehr_node_2" };
        await using var connection = new MySqlConnection(first.ConnectionString);
        var error = await Assert.ThrowsAsync<MySqlException>(() => connection.OpenAsync());
        Assert.Equal(MySqlErrorCode.DatabaseAccessDenied, error.ErrorCode);
    }
}
