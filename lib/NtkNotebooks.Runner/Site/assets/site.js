// Typesets the math of a course page with KaTeX (assets/katex). The runner's Site/TexMath.cs turned the Markdown's
// $...$ into <span class="math">TeX</span> and $$...$$ into <span class="math display">TeX</span>.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".math").forEach(function (element) {
    katex.render(element.textContent, element, { displayMode: element.classList.contains("display"), throwOnError: false });
  });
});
