using NtkNotebooks.Runner.Site;

namespace NtkNotebooks.Site.Tests;

/// <summary>Formulas reach KaTeX exactly as written, and nothing else is taken for one.</summary>
public class TexMathTests
{
    [Fact]
    public void InlineAndDisplayFormulas_KeepTheirTeX_EvenOverTwoLines()
    {
        var html = MarkdownHtml.ToHtml("A $x_1 \\, y^*$ and\n\n$$a = b, \\qquad\nc_2 = d_2.$$");
        Assert.Contains("<span class=\"math\">x_1 \\, y^*</span>", html);
        Assert.Contains("<span class=\"math display\">a = b, \\qquad\nc_2 = d_2.</span>", html);
    }

    [Fact]
    public void DollarsInCode_EscapedOrBeforeDigits_AreNotFormulas()
    {
        var html = MarkdownHtml.ToHtml("Costs \\$5, or $5 and $6; `var s = $\"{x}\";`\n\n```csharp\nvar t = $$\"\"\"{{y}}\"\"\";\n```");
        Assert.DoesNotContain("class=\"math", html);
        Assert.Contains("<code>var s = $&quot;{x}&quot;;</code>", html);
    }

    [Fact]
    public void TheSummary_IsTheFirstSentence_OrTheFirstLearningGoal()
    {
        Assert.Equal(("01 · Title", "This is it."), MarkdownHtml.TitleAndSummary("# 01 · Title\n\nThis is it. Not this."));
        Assert.Equal(("02 · Title", "What the *linearized network* is."),
            MarkdownHtml.TitleAndSummary("# 02 · Title\n\n**What you will learn**\n- what the *linearized network* is;\n- more"));
    }
}
