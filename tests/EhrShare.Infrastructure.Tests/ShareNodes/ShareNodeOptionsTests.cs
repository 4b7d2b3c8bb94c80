using System.ComponentModel.DataAnnotations;
using EhrShare.Infrastructure.ShareNodes;
using EhrShare.Sharing;

namespace EhrShare.Infrastructure.Tests.ShareNodes;

public sealed class ShareNodeOptionsTests
{
    [Fact]
    public void Defaults_AreGf256_AndThreshold3()
    {
        var options = Valid(5);

        Assert.Empty(Validate(options));
        Assert.Equal((ShareField.Gf256, 3), (options.GetShareField(), options.Threshold));
    }

    [Theory]
    [InlineData("Prime127", ShareField.Prime127)]
    [InlineData("prime127", ShareField.Prime127)]
    [InlineData(" Gf256 ", ShareField.Gf256)]
    public void Field_AcceptsTheFieldNames(string value, ShareField expected)
    {
        var options = Valid(5);
        options.Field = value;

        Assert.Empty(Validate(options));
        Assert.Equal(expected, options.GetShareField());
    }

    [Theory]
    [InlineData("Gf257")]
    [InlineData("2")]
    [InlineData("")]
    public void Field_RejectsAnythingElse_NamingTheSetting(string value)
    {
        var options = Valid(5);
        options.Field = value;

        var error = Assert.Single(Validate(options));
        Assert.Contains("ShareNodes:Field must be Gf256 (the default) or Prime127", error.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Threshold_AboveTheNodeCount_IsRejected()
    {
        var options = Valid(3);
        options.Threshold = 4;

        Assert.Contains(Validate(options), e => e.ErrorMessage!.Contains("ShareNodes:Threshold", StringComparison.Ordinal));
    }

    private static ShareNodeOptions Valid(int nodes) => new()
    {
        Nodes = [.. Enumerable.Range(0, nodes).Select(i => new ShareNodeEndpoint { ConnectionString = $"Server=127.0.0.1;Database=n{i}" })],
    };

    private static List<ValidationResult> Validate(ShareNodeOptions options) => [.. options.Validate(new ValidationContext(options))];
}
