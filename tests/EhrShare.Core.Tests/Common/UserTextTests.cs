using EhrShare.Core.Common;

namespace EhrShare.Core.Tests.Common;

public sealed class UserTextTests
{
    [Theory]
    [InlineData("invoice\u202Efdp.exe", "invoicefdp.exe")] // right-to-left override: shown as "invoiceexe.pdf"
    [InlineData("\u202Bembedded\u202C", "embedded")] // right-to-left embedding and its pop
    [InlineData("\u2067isolated\u2069 \u2066too\u2069", "isolated too")] // isolates
    [InlineData("zero\u200Bwidth\u200C\u200D\u2060joiners", "zerowidthjoiners")]
    [InlineData("\uFEFFbom first", "bom first")]
    [InlineData("soft\u00ADhyphen", "softhyphen")]
    [InlineData("tag\U000E0041\U000E007Fs", "tags")] // format characters outside the BMP
    [InlineData("bell\u0007 tab\t nul\0 del\u007F c1\u0085", "bell tab nul del c1")]
    [InlineData("line\nbreak\r\nand\u2028separators\u2029", "linebreakandseparators")]
    [InlineData("  Dr Amélie Ørsted – 日本語 🩺  ", "Dr Amélie Ørsted – 日本語 🩺")]
    [InlineData(null, "")]
    [InlineData("\u202E\u200B", "")]
    public void CleanLine_RemovesFormatAndControlCharacters_AndKeepsEverythingElse(string? input, string expected)
    {
        Assert.Equal(expected, UserText.CleanLine(input));
    }

    [Fact]
    public void CleanLine_DropsUnpairedSurrogates_AndKeepsPairedOnes()
    {
        Assert.Equal("ab😀", UserText.CleanLine("a\uD800b\uDC00" + "\uD83D\uDE00"));
    }

    [Fact]
    public void CleanLines_KeepsLineBreaks_AsNewlines_AndRemovesTheRest()
    {
        Assert.Equal("first\nsecond\n\nthird", UserText.CleanLines(" first\r\nsecond\r\n\u202E\rthird\t\u200B "));
    }

    [Fact]
    public void CleanLine_OfCleanText_IsTheSameText()
    {
        const string clean = "Blood test 2025-03 (fasting), résumé.pdf";

        Assert.Equal(clean, UserText.CleanLine(clean));
        Assert.Equal(clean, UserText.CleanLine(UserText.CleanLine(clean)));
    }
}
