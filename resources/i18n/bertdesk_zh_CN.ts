<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AttentionExport</name>
    <message>
        <source>bertdesk attention</source>
        <translation>bertdesk 注意力</translation>
    </message>
    <message>
        <source>{path} could not be written</source>
        <translation>无法写入 {path}</translation>
    </message>
</context>
<context>
    <name>AttentionGrid</name>
    <message>
        <source>Explain a text to see every head of every layer.</source>
        <translation>解释一段文本，即可查看每一层的每个注意力头。</translation>
    </message>
    <message>
        <source>H{head}</source>
        <translation>头{head}</translation>
    </message>
    <message>
        <source>L{layer}</source>
        <translation>层{layer}</translation>
    </message>
    <message>
        <source>Layer {layer}, head {head}: click to open</source>
        <translation>第 {layer} 层，第 {head} 个头：点击打开</translation>
    </message>
</context>
<context>
    <name>AttentionPanel</name>
    <message>
        <source>Scale per head</source>
        <translation>每个头单独色阶</translation>
    </message>
    <message>
        <source>Scale per layer</source>
        <translation>每层单独色阶</translation>
    </message>
    <message>
        <source>One scale for all</source>
        <translation>所有头统一色阶</translation>
    </message>
    <message>
        <source>This model has no classifier yet: train one to see predictions.</source>
        <translation>此模型还没有分类器：训练一个分类器后即可查看预测。</translation>
    </message>
    <message>
        <source>No saliency for this model: saliency explains a predicted class, and this model has no classifier yet. Train one to see which words drive its predictions.</source>
        <translation>此模型没有显著性：显著性解释的是预测出的类别，而此模型还没有分类器。训练一个分类器后，即可看到哪些词决定了它的预测。</translation>
    </message>
    <message>
        <source>Computing attention…</source>
        <translation>正在计算注意力…</translation>
    </message>
    <message>
        <source>Computing saliency…</source>
        <translation>正在计算显著性…</translation>
    </message>
    <message>
        <source>Type or paste a text (Ctrl+Enter explains it), or double-click a row in a table…</source>
        <translation>输入或粘贴一段文本（按 Ctrl+Enter 解释），或在表格中双击一行…</translation>
    </message>
    <message>
        <source>Explain</source>
        <translation>解释</translation>
    </message>
    <message>
        <source>Explain the text (Ctrl+Enter)</source>
        <translation>解释这段文本（Ctrl+Enter）</translation>
    </message>
    <message>
        <source>Model: bundled default. Nothing explained yet.</source>
        <translation>模型：内置默认模型。尚未解释任何文本。</translation>
    </message>
    <message>
        <source>Layer –</source>
        <translation>层 –</translation>
    </message>
    <message>
        <source>Hide [CLS]/[SEP]</source>
        <translation>隐藏 [CLS]/[SEP]</translation>
    </message>
    <message>
        <source>Whole words</source>
        <translation>整词</translation>
    </message>
    <message>
        <source>Merge word pieces: attention to a word is the sum over its pieces, from a word the mean.</source>
        <translation>合并子词：指向一个词的注意力取其各子词之和，从一个词发出的注意力取平均值。</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>View as PNG…</source>
        <translation>当前视图导出为 PNG…</translation>
    </message>
    <message>
        <source>View as SVG…</source>
        <translation>当前视图导出为 SVG…</translation>
    </message>
    <message>
        <source>Maps as .npy…</source>
        <translation>注意力图导出为 .npy…</translation>
    </message>
    <message>
        <source>Maps as JSON…</source>
        <translation>注意力图导出为 JSON…</translation>
    </message>
    <message>
        <source>Explain a text with a trained classifier to see which words drive its prediction.</source>
        <translation>用训练好的分类器解释一段文本，即可看到哪些词决定了它的预测。</translation>
    </message>
    <message>
        <source>Model view</source>
        <translation>模型视图</translation>
    </message>
    <message>
        <source>Head view</source>
        <translation>单头视图</translation>
    </message>
    <message>
        <source>Token view</source>
        <translation>token 视图</translation>
    </message>
    <message>
        <source>Saliency</source>
        <translation>显著性</translation>
    </message>
    <message>
        <source>Model: bundled default. Explain a text to load it.</source>
        <translation>模型：内置默认模型。解释一段文本时加载。</translation>
    </message>
    <message>
        <source>Model: {name}. Explain a text to load it.</source>
        <translation>模型：{name}。解释一段文本时加载。</translation>
    </message>
    <message>
        <source>Explaining…</source>
        <translation>正在解释…</translation>
    </message>
    <message>
        <source>Explaining</source>
        <translation>解释文本</translation>
    </message>
    <message>
        <source>Loading {model}…</source>
        <translation>正在加载 {model}…</translation>
    </message>
    <message>
        <source>Nothing explained.</source>
        <translation>未解释任何文本。</translation>
    </message>
    <message>
        <source>Text edited: Explain (Ctrl+Enter) to see its prediction. The maps below are of the previous text.</source>
        <translation>文本已修改：点击“解释”（Ctrl+Enter）查看其预测。下方的注意力图仍是上一段文本的。</translation>
    </message>
    <message>
        <source>Model: {model}, {layers} layers x {heads} heads. {tokens} tokens.</source>
        <translation>模型：{model}，{layers} 层 × {heads} 个头。共 {tokens} 个 token。</translation>
    </message>
    <message>
        <source>Head {n}</source>
        <translation>第 {n} 个头</translation>
    </message>
    <message>
        <source>Mean of heads</source>
        <translation>各头平均</translation>
    </message>
    <message>
        <source>Rollout (layers 1 to this)</source>
        <translation>注意力展开（rollout，第 1 层至本层）</translation>
    </message>
    <message>
        <source>Layer {layer}, mean of heads</source>
        <translation>第 {layer} 层，各头平均</translation>
    </message>
    <message>
        <source>Layer {layer}, rollout, layers 1–{layer}</source>
        <translation>第 {layer} 层，注意力展开（rollout），第 1–{layer} 层</translation>
    </message>
    <message>
        <source>Layer {layer}, head {head}</source>
        <translation>第 {layer} 层，第 {head} 个头</translation>
    </message>
    <message>
        <source>Layer {layer} of {layers}</source>
        <translation>第 {layer} 层，共 {layers} 层</translation>
    </message>
    <message>
        <source>PNG image (*.png)</source>
        <translation>PNG 图片（*.png）</translation>
    </message>
    <message>
        <source>SVG image (*.svg)</source>
        <translation>SVG 图片（*.svg）</translation>
    </message>
    <message>
        <source>NumPy array (*.npy)</source>
        <translation>NumPy 数组（*.npy）</translation>
    </message>
    <message>
        <source>JSON (*.json)</source>
        <translation>JSON（*.json）</translation>
    </message>
    <message>
        <source>Export attention</source>
        <translation>导出注意力</translation>
    </message>
    <message>
        <source>Cannot export to {path}: {reason}</source>
        <translation>无法导出到 {path}：{reason}</translation>
    </message>
    <message>
        <source>{view}: {map}</source>
        <translation>{view}：{map}</translation>
    </message>
    <message>
        <source>Text: {text}</source>
        <translation>文本：{text}</translation>
    </message>
    <message>
        <source>{view}  ·  model {model}</source>
        <translation>{view}  ·  模型 {model}</translation>
    </message>
    <message>
        <source>Prediction: {label}     ({rest})</source>
        <translation>预测：{label}     （{rest}）</translation>
    </message>
    <message>
        <source>The text is {tokens} tokens long and this model reads at most {max_tokens}: everything from character {character} on was cut (“{preview}”).</source>
        <translation>这段文本长 {tokens} 个 token，而此模型最多读取 {max_tokens} 个：从第 {character} 个字符起的内容已被截去（“{preview}”）。</translation>
    </message>
</context>
<context>
    <name>AttentionTokenView</name>
    <message>
        <source>Explain a text to see its tokens.</source>
        <translation>解释一段文本，即可查看它的 token。</translation>
    </message>
</context>
<context>
    <name>ConfidenceHistogram</name>
    <message>
        <source>confidence (%)</source>
        <translation>置信度（%）</translation>
    </message>
    <message>
        <source>rows</source>
        <translation>行数</translation>
    </message>
    <message>
        <source>No predictions to show</source>
        <translation>暂无可显示的预测结果</translation>
    </message>
</context>
<context>
    <name>ConfusionMatrixPlot</name>
    <message>
        <source>true label</source>
        <translation>真实标签</translation>
    </message>
    <message>
        <source>predicted</source>
        <translation>预测标签</translation>
    </message>
</context>
<context>
    <name>DataPanel</name>
    <message>
        <source>All rows</source>
        <translation>全部行</translation>
    </message>
    <message>
        <source>Unlabelled</source>
        <translation>未标注</translation>
    </message>
    <message>
        <source>Labelled</source>
        <translation>已标注</translation>
    </message>
    <message>
        <source>With label</source>
        <translation>标签为</translation>
    </message>
    <message>
        <source>Predicted as</source>
        <translation>预测为</translation>
    </message>
    <message>
        <source>Text contains</source>
        <translation>文本包含</translation>
    </message>
    <message>
        <source>Click a column&apos;s header to sort by it; again for descending; a third time for file order</source>
        <translation>点击列标题按该列排序；再点一次改为降序；第三次恢复文件原顺序</translation>
    </message>
    <message>
        <source>text to find (Enter)</source>
        <translation>要查找的文本（按 Enter）</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>应用</translation>
    </message>
    <message>
        <source>Clear label</source>
        <translation>清除标签</translation>
    </message>
    <message>
        <source>Also label exact duplicates</source>
        <translation>同时标注完全重复的行</translation>
    </message>
    <message>
        <source>Also every other row whose text is the same (ignoring leading and trailing spaces)</source>
        <translation>同时标注文本相同的其他所有行（忽略首尾空格）</translation>
    </message>
    <message>
        <source>, </source>
        <translation>，</translation>
    </message>
    <message>
        <source>no labels yet</source>
        <translation>尚无标签</translation>
    </message>
    <message>
        <source>{rows:,} rows · text column: {column} · {labelled:,} labelled ({labels})</source>
        <translation>{rows:,} 行 · 文本列：{column} · 已标注 {labelled:,} 行（{labels}）</translation>
    </message>
    <message>
        <source>Sorting…</source>
        <translation>正在排序…</translation>
    </message>
    <message>
        <source>Filtering…</source>
        <translation>正在筛选…</translation>
    </message>
    <message>
        <source>Filter rows</source>
        <translation>筛选行</translation>
    </message>
    <message>
        <source>Stopped.</source>
        <translation>已停止。</translation>
    </message>
    <message>
        <source>{shown:,} of {rows:,} rows</source>
        <translation>{shown:,} / {rows:,} 行</translation>
    </message>
    <message>
        <source>Label 1 selected row as</source>
        <translation>将选中的 1 行标注为</translation>
    </message>
    <message>
        <source>Label {count:,} selected rows as</source>
        <translation>将选中的 {count:,} 行标注为</translation>
    </message>
    <message>
        <source>Label 1 selected row</source>
        <translation>标注选中的 1 行</translation>
    </message>
    <message>
        <source>Label {count:,} selected rows</source>
        <translation>标注选中的 {count:,} 行</translation>
    </message>
    <message>
        <source>Find Similar Rows…</source>
        <translation>查找相似行…</translation>
    </message>
    <message>
        <source>Find Rows Like Row {row:,}…</source>
        <translation>查找与第 {row:,} 行相似的行…</translation>
    </message>
</context>
<context>
    <name>DatasetTableModel</name>
    <message>
        <source>Label</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>The label stored in the project for this row</source>
        <translation>项目中为这一行保存的标签</translation>
    </message>
    <message>
        <source>The text column: what the model reads</source>
        <translation>文本列：模型读取的内容</translation>
    </message>
</context>
<context>
    <name>EmbeddingMap</name>
    <message>
        <source>Row {row}: {text}</source>
        <translation>第 {row} 行：{text}</translation>
    </message>
</context>
<context>
    <name>ErrorDialog</name>
    <message>
        <source>Unexpected error</source>
        <translation>意外错误</translation>
    </message>
    <message>
        <source>Something went wrong: {error}</source>
        <translation>出错了：{error}</translation>
    </message>
</context>
<context>
    <name>EstimateLabel</name>
    <message>
        <source>measured speed: {speed:,.0f} tokens/s in run {run}</source>
        <translation>实测速度：{speed:,.0f} token/秒，来自第 {run} 次训练</translation>
    </message>
    <message>
        <source>measured speed: {speed:,.0f} tokens/s in a short calibration</source>
        <translation>实测速度：{speed:,.0f} token/秒，来自一次简短的测速</translation>
    </message>
    <message>
        <source>Estimated time: at most about {duration} on this GPU, less if early stopping ends it sooner ({measured})</source>
        <translation>预计用时：在这台电脑的 GPU 上最多约 {duration}，提前停止时会更短（{measured}）</translation>
    </message>
    <message>
        <source>Estimated time: at most about {duration} on this CPU, less if early stopping ends it sooner ({measured})</source>
        <translation>预计用时：在这台电脑的 CPU 上最多约 {duration}，提前停止时会更短（{measured}）</translation>
    </message>
    <message>
        <source>Estimated time: about {duration} on this GPU ({measured})</source>
        <translation>预计用时：在这台电脑的 GPU 上约 {duration}（{measured}）</translation>
    </message>
    <message>
        <source>Estimated time: about {duration} on this CPU ({measured})</source>
        <translation>预计用时：在这台电脑的 CPU 上约 {duration}（{measured}）</translation>
    </message>
    <message>
        <source>first finished run</source>
        <translation>首次完成的训练</translation>
    </message>
    <message>
        <source>{change:+.2f} vs run {previous}, best so far</source>
        <translation>比第 {previous} 次训练 {change:+.2f}，目前最好</translation>
    </message>
    <message>
        <source>{change:+.2f} vs run {previous}; best: {best:.2f} in run {best_run}</source>
        <translation>比第 {previous} 次训练 {change:+.2f}；最好成绩：第 {best_run} 次训练的 {best:.2f}</translation>
    </message>
    <message>
        <source>Run {run}: macro-F1 {f1:.2f} ({against})</source>
        <translation>第 {run} 次训练：宏平均 F1 {f1:.2f}（{against}）</translation>
    </message>
    <message>
        <source>weakest label: {label} {f1:.2f}</source>
        <translation>最弱的标签：{label} {f1:.2f}</translation>
    </message>
    <message>
        <source>weakest label: {label} {f1:.2f} ({change:+.2f})</source>
        <translation>最弱的标签：{label} {f1:.2f}（{change:+.2f}）</translation>
    </message>
    <message>
        <source>Took {actual}.</source>
        <translation>实际用时 {actual}。</translation>
    </message>
    <message>
        <source>Took {actual} (estimated: at most about {estimated}).</source>
        <translation>实际用时 {actual}（预计最多约 {estimated}）。</translation>
    </message>
    <message>
        <source>Took {actual} (estimated: about {estimated}).</source>
        <translation>实际用时 {actual}（预计约 {estimated}）。</translation>
    </message>
    <message>
        <source>From the speed measured on this computer: an earlier run of this model, or a few training steps measured once. Early stopping can end training sooner.</source>
        <translation>根据在这台电脑上实测的速度估算：来自此模型之前的训练记录，或一次性测量的几个训练步。提前停止可能让训练更早结束。</translation>
    </message>
    <message>
        <source>Estimating the training time…</source>
        <translation>正在估算训练用时…</translation>
    </message>
    <message>
        <source>Estimated time: measuring speed…</source>
        <translation>预计用时：正在测量速度…</translation>
    </message>
</context>
<context>
    <name>GuideDialog</name>
    <message>
        <source>bertdesk user guide</source>
        <translation>bertdesk 用户指南</translation>
    </message>
</context>
<context>
    <name>ImportDialog</name>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <source>Comma</source>
        <translation>逗号</translation>
    </message>
    <message>
        <source>Semicolon</source>
        <translation>分号</translation>
    </message>
    <message>
        <source>Tab</source>
        <translation>制表符</translation>
    </message>
    <message>
        <source>Pipe</source>
        <translation>竖线</translation>
    </message>
    <message>
        <source>Import {file}</source>
        <translation>导入 {file}</translation>
    </message>
    <message>
        <source>Detect</source>
        <translation>自动检测</translation>
    </message>
    <message>
        <source>The row that holds the column names (counting non-blank rows); rows above it are skipped. Detected from the content until you change it</source>
        <translation>包含列名的行（只计非空行）；它上面的行会被跳过。在你修改之前，根据内容自动检测</translation>
    </message>
    <message>
        <source>The column whose text the model reads</source>
        <translation>模型读取其文本的列</translation>
    </message>
    <message>
        <source>Optional: a column that already holds labels; they are imported as labels</source>
        <translation>可选：已经包含标签的列；其中的值会作为标签导入</translation>
    </message>
    <message>
        <source>The project file keeps a copy of the table and every label you set</source>
        <translation>项目文件保存一份表格副本以及你设置的每个标签</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <source>Encoding</source>
        <translation>编码</translation>
    </message>
    <message>
        <source>Delimiter</source>
        <translation>分隔符</translation>
    </message>
    <message>
        <source>Sheet</source>
        <translation>工作表</translation>
    </message>
    <message>
        <source>Column names in row</source>
        <translation>列名所在行</translation>
    </message>
    <message>
        <source>Text column</source>
        <translation>文本列</translation>
    </message>
    <message>
        <source>Label column</source>
        <translation>标签列</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Detected</source>
        <translation>检测结果</translation>
    </message>
    <message>
        <source>Project file</source>
        <translation>项目文件</translation>
    </message>
    <message>
        <source>sheet {sheet}</source>
        <translation>工作表 {sheet}</translation>
    </message>
    <message>
        <source>first {count:,} rows shown</source>
        <translation>显示前 {count:,} 行</translation>
    </message>
    <message>
        <source>{count:,} rows</source>
        <translation>{count:,} 行</translation>
    </message>
    <message>
        <source>{columns} columns, {shown}</source>
        <translation>{columns} 列，{shown}</translation>
    </message>
    <message>
        <source>Save project as</source>
        <translation>项目另存为</translation>
    </message>
    <message>
        <source>bertdesk project ({patterns})</source>
        <translation>bertdesk 项目 ({patterns})</translation>
    </message>
    <message>
        <source>The file could not be read.</source>
        <translation>无法读取该文件。</translation>
    </message>
    <message>
        <source>Choose the text column.</source>
        <translation>请选择文本列。</translation>
    </message>
    <message>
        <source>The text column and the label column must be different.</source>
        <translation>文本列和标签列不能是同一列。</translation>
    </message>
    <message>
        <source>Choose where to save the project file.</source>
        <translation>请选择项目文件的保存位置。</translation>
    </message>
    <message>
        <source>{file} already exists: choose another project file name.</source>
        <translation>{file} 已存在：请换一个项目文件名。</translation>
    </message>
</context>
<context>
    <name>LabelCheckNotice</name>
    <message>
        <source>Some labels may be wrong, and a model learns their mistakes.</source>
        <translation>部分标签可能有误，而模型会学到这些错误。</translation>
    </message>
    <message>
        <source>Check labels</source>
        <translation>检查标签</translation>
    </message>
    <message>
        <source>Label review: {summary}. Review the {count:,} suspicious rows before training: a model learns their mistakes.</source>
        <translation>标签复核：{summary}。训练前请先复核这{count:,}行可疑标签，否则模型会学到其中的错误。</translation>
    </message>
    <message>
        <source>Label review: {summary}; {count:,} suspicious rows left.</source>
        <translation>标签复核：{summary}；还有{count:,}行可疑标签待复核。</translation>
    </message>
    <message>
        <source>Review suspicious labels</source>
        <translation>复核可疑标签</translation>
    </message>
</context>
<context>
    <name>LabelClashDialog</name>
    <message>
        <source>Labels that look the same</source>
        <translation>看起来相同的标签</translation>
    </message>
    <message>
        <source>These imported labels differ only in upper/lower case or spaces. Merge each group into one label, or keep them apart. Nothing is merged unless you choose it.</source>
        <translation>以下导入的标签只在大小写或空格上有差别。你可以把每组合并为一个标签，也可以保持独立。除非你选择合并，否则不会合并任何标签。</translation>
    </message>
    <message>
        <source>,  </source>
        <translation>，</translation>
    </message>
    <message>
        <source>“{label}” ({count:,} rows)</source>
        <translation>“{label}”（{count:,} 行）</translation>
    </message>
    <message>
        <source>into</source>
        <translation>合并为</translation>
    </message>
    <message>
        <source>Merge selected</source>
        <translation>合并所选</translation>
    </message>
    <message>
        <source>Keep all apart</source>
        <translation>全部保持独立</translation>
    </message>
</context>
<context>
    <name>LabelPanel</name>
    <message>
        <source>least confident</source>
        <translation>置信度最低</translation>
    </message>
    <message>
        <source>smallest margin</source>
        <translation>前两名概率差最小</translation>
    </message>
    <message>
        <source>highest entropy</source>
        <translation>熵最高</translation>
    </message>
    <message>
        <source>1 … 9, then A … Z</source>
        <translation>1 … 9，然后 A … Z</translation>
    </message>
    <message>
        <source>Give the row the label with that key and go to the next row</source>
        <translation>给该行打上该键对应的标签，并转到下一行</translation>
    </message>
    <message>
        <source>0 or Backspace</source>
        <translation>0 或 Backspace</translation>
    </message>
    <message>
        <source>Clear the row&apos;s label</source>
        <translation>清除该行的标签</translation>
    </message>
    <message>
        <source>Accept the model&apos;s suggestion (suspicious labels: the suggested label)</source>
        <translation>采纳模型的建议（在可疑标签视图中：采纳建议的标签）</translation>
    </message>
    <message>
        <source>Space or →</source>
        <translation>Space 或 →</translation>
    </message>
    <message>
        <source>Next row of the view</source>
        <translation>视图中的下一行</translation>
    </message>
    <message>
        <source>Space (suspicious labels)</source>
        <translation>Space（可疑标签视图）</translation>
    </message>
    <message>
        <source>Keep the row&apos;s label and mark it reviewed</source>
        <translation>保留该行的标签，并标记为已复核</translation>
    </message>
    <message>
        <source>Back to the row visited before (even one the view no longer holds)</source>
        <translation>回到之前看过的行（即使它已不在当前视图中）</translation>
    </message>
    <message>
        <source>Search the text</source>
        <translation>搜索文本</translation>
    </message>
    <message>
        <source>Undo / redo</source>
        <translation>撤销 / 重做</translation>
    </message>
    <message>
        <source>Stop a search</source>
        <translation>停止搜索</translation>
    </message>
    <message>
        <source>Undone: {step}  ·  saved ✓</source>
        <translation>已撤销：{step}  ·  已保存 ✓</translation>
    </message>
    <message>
        <source>Redone: {step}  ·  saved ✓</source>
        <translation>已重做：{step}  ·  已保存 ✓</translation>
    </message>
    <message>
        <source>Search the text…  (Ctrl+F)</source>
        <translation>搜索文本…（Ctrl+F）</translation>
    </message>
    <message>
        <source>Regex</source>
        <translation>正则</translation>
    </message>
    <message>
        <source>sample of </source>
        <translation>抽样 </translation>
    </message>
    <message>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <source>0  clear</source>
        <translation>0  清除</translation>
    </message>
    <message>
        <source>←  back</source>
        <translation>←  返回</translation>
    </message>
    <message>
        <source>Space  skip</source>
        <translation>Space  跳过</translation>
    </message>
    <message>
        <source>Similar rows…</source>
        <translation>相似行…</translation>
    </message>
    <message>
        <source>The rows most like this one, to label them at once (Ctrl+Shift+F)</source>
        <translation>与此行最相似的行，可一次性标注（Ctrl+Shift+F）</translation>
    </message>
    <message>
        <source>Retrain now</source>
        <translation>立即重新训练</translation>
    </message>
    <message>
        <source>Train with the same settings in the background, then predict the unlabelled rows</source>
        <translation>在后台用相同的设置训练，然后预测未标注的行</translation>
    </message>
    <message>
        <source>Later</source>
        <translation>稍后</translation>
    </message>
    <message>
        <source>1–9, a–z label · Enter accepts the suggestion · 0/⌫ clear · Space/→ skip · ← back · Ctrl+Z undo · Ctrl+Shift+Z redo · Ctrl+F search</source>
        <translation>1–9、a–z 标注 · Enter 采纳建议 · 0/⌫ 清除 · Space/→ 跳过 · ← 返回 · Ctrl+Z 撤销 · Ctrl+Shift+Z 重做 · Ctrl+F 搜索</translation>
    </message>
    <message>
        <source>All rows</source>
        <translation>全部行</translation>
    </message>
    <message>
        <source>Unlabelled</source>
        <translation>未标注</translation>
    </message>
    <message>
        <source>Labelled</source>
        <translation>已标注</translation>
    </message>
    <message>
        <source>Label: {name}</source>
        <translation>标签：{name}</translation>
    </message>
    <message>
        <source>Search…</source>
        <translation>搜索…</translation>
    </message>
    <message>
        <source>Random sample</source>
        <translation>随机抽样</translation>
    </message>
    <message>
        <source>Most uncertain first ({measure})</source>
        <translation>最不确定的优先（{measure}）</translation>
    </message>
    <message>
        <source>Suspicious labels</source>
        <translation>可疑标签</translation>
    </message>
    <message>
        <source>Label this row {name!r} (key {key})</source>
        <translation>将此行标注为{name!r}（按键 {key}）</translation>
    </message>
    <message>
        <source>Label this row {name!r}</source>
        <translation>将此行标注为{name!r}</translation>
    </message>
    <message>
        <source>No label review yet: press Find suspicious labels (above) to check every label.</source>
        <translation>尚未复核标签：点击上方的“查找可疑标签”，检查每个标签。</translation>
    </message>
    <message>
        <source>No rows match this view.</source>
        <translation>没有符合此视图的行。</translation>
    </message>
    <message>
        <source>No predictions yet: train a model, then predict (Predict panel), to label the most uncertain rows first.</source>
        <translation>还没有预测结果：先训练模型，再到“预测”面板进行预测，即可优先标注最不确定的行。</translation>
    </message>
    <message>
        <source>Saved ✓  row {row}</source>
        <translation>已保存 ✓  第{row}行</translation>
    </message>
    <message>
        <source>You labelled {count} rows since run {run} was trained. Retrain, so the suggestions and the most-uncertain queue learn from them?</source>
        <translation>第{run}次训练之后，你又标注了{count}行。要重新训练，让建议和“最不确定的优先”队列学到这些标签吗？</translation>
    </message>
    <message>
        <source>Kept ✓  row {row}</source>
        <translation>已保留 ✓  第{row}行</translation>
    </message>
    <message>
        <source>Checking every label against what the others teach… the most suspicious rows come here.</source>
        <translation>正在对照其他标签逐一检查每个标签…最可疑的行将显示在这里。</translation>
    </message>
    <message>
        <source>Finding suspicious labels</source>
        <translation>查找可疑标签</translation>
    </message>
    <message>
        <source>Label review cancelled.</source>
        <translation>标签复核已取消。</translation>
    </message>
    <message>
        <source>That was the last row in this view.</source>
        <translation>这已是此视图的最后一行。</translation>
    </message>
    <message>
        <source>This is the first row in this view.</source>
        <translation>这是此视图的第一行。</translation>
    </message>
    <message>
        <source>Searching…  (Esc cancels)</source>
        <translation>正在搜索…（按 Esc 取消）</translation>
    </message>
    <message>
        <source>Searching</source>
        <translation>搜索</translation>
    </message>
    <message>
        <source>Search cancelled.</source>
        <translation>搜索已取消。</translation>
    </message>
    <message>
        <source>Searching… {count:,} rows looked at  (Esc cancels)</source>
        <translation>正在搜索…已查看{count:,}行（按 Esc 取消）</translation>
    </message>
    <message>
        <source>Open a project to start labelling.</source>
        <translation>打开项目即可开始标注。</translation>
    </message>
    <message>
        <source>Row {row:,}  ·  {label}</source>
        <translation>第{row:,}行  ·  {label}</translation>
    </message>
    <message>
        <source>unlabelled</source>
        <translation>未标注</translation>
    </message>
    <message>
        <source>Probably wrong: &quot;{label}&quot; {given:.0%} vs &quot;{suggested}&quot; {suggested_share:.0%}  ·  Enter: {suggested}  ·  Space: keep {label}</source>
        <translation>可能标错：“{label}”仅{given:.0%}，而“{suggested}”为{suggested_share:.0%}  ·  Enter：改为“{suggested}”  ·  Space：保留“{label}”</translation>
    </message>
    <message>
        <source>Relabelled or kept since the review  ·  Space: next</source>
        <translation>复核后已重新标注或保留  ·  Space：下一行</translation>
    </message>
    <message>
        <source>Model suggests: {label} ({confidence:.0%})</source>
        <translation>模型建议：{label}（{confidence:.0%}）</translation>
    </message>
    <message>
        <source>Model suggests: {label} ({confidence:.0%})  ·  Enter accepts</source>
        <translation>模型建议：{label}（{confidence:.0%}）  ·  按 Enter 采纳</translation>
    </message>
    <message>
        <source>{position:,} of {total:,}</source>
        <translation>{position:,} / {total:,}</translation>
    </message>
    <message>
        <source>{total:,} in this view</source>
        <translation>此视图共{total:,}行</translation>
    </message>
    <message>
        <source>{labelled:,} of {rows:,} labelled</source>
        <translation>已标注{labelled:,}/{rows:,}行</translation>
    </message>
    <message>
        <source>No labels yet.</source>
        <translation>还没有标签。</translation>
    </message>
</context>
<context>
    <name>LabelSetDialog</name>
    <message>
        <source>No rows carry this label.</source>
        <translation>没有行使用此标签。</translation>
    </message>
    <message>
        <source>1 row loses this label.</source>
        <translation>1 行将失去此标签。</translation>
    </message>
    <message>
        <source>{count:,} rows lose this label.</source>
        <translation>{count:,} 行将失去此标签。</translation>
    </message>
    <message>
        <source>Delete “{label}”? {consequence}</source>
        <translation>删除“{label}”？{consequence}</translation>
    </message>
    <message>
        <source>Label Set</source>
        <translation>标签集</translation>
    </message>
    <message>
        <source>&amp;Add…</source>
        <translation>添加(&amp;A)…</translation>
    </message>
    <message>
        <source>Add a new label</source>
        <translation>添加一个新标签</translation>
    </message>
    <message>
        <source>&amp;Rename…</source>
        <translation>重命名(&amp;R)…</translation>
    </message>
    <message>
        <source>Rename the selected label; its rows follow</source>
        <translation>重命名所选标签；它的行会随之更新</translation>
    </message>
    <message>
        <source>&amp;Merge into…</source>
        <translation>合并到(&amp;M)…</translation>
    </message>
    <message>
        <source>Relabel the rows of the selected labels as another label</source>
        <translation>将所选标签的行改标为另一个标签</translation>
    </message>
    <message>
        <source>&amp;Delete</source>
        <translation>删除(&amp;D)</translation>
    </message>
    <message>
        <source>Remove the selected label; its rows become unlabelled</source>
        <translation>删除所选标签；它的行将变为未标注</translation>
    </message>
    <message>
        <source>Move &amp;up</source>
        <translation>上移(&amp;U)</translation>
    </message>
    <message>
        <source>Move the selected label up (its number key changes)</source>
        <translation>将所选标签上移（其数字键会随之改变）</translation>
    </message>
    <message>
        <source>Move do&amp;wn</source>
        <translation>下移(&amp;W)</translation>
    </message>
    <message>
        <source>Move the selected label down (its number key changes)</source>
        <translation>将所选标签下移（其数字键会随之改变）</translation>
    </message>
    <message>
        <source>&amp;Colour…</source>
        <translation>颜色(&amp;C)…</translation>
    </message>
    <message>
        <source>Choose the selected label&apos;s colour</source>
        <translation>选择所选标签的颜色</translation>
    </message>
    <message>
        <source>Checks</source>
        <translation>检查</translation>
    </message>
    <message>
        <source>1 row</source>
        <translation>1 行</translation>
    </message>
    <message>
        <source>{count:,} rows</source>
        <translation>{count:,} 行</translation>
    </message>
    <message>
        <source>{label}: {count:,} rows, colour {colour}</source>
        <translation>{label}：{count:,} 行，颜色 {colour}</translation>
    </message>
    <message>
        <source>{label}: {count:,} rows</source>
        <translation>{label}：{count:,} 行</translation>
    </message>
    <message>
        <source>{labels:,} labels; {labelled:,} of {rows:,} rows labelled.</source>
        <translation>{labels:,} 个标签；{rows:,} 行中已标注 {labelled:,} 行。</translation>
    </message>
    <message>
        <source>No problems found: no look-alike names, every label has at least {count} rows.</source>
        <translation>未发现问题：没有相似的标签名，每个标签都至少有 {count} 行。</translation>
    </message>
    <message>
        <source>Merge into “{label}”</source>
        <translation>合并到“{label}”</translation>
    </message>
    <message>
        <source>Cannot add the label</source>
        <translation>无法添加标签</translation>
    </message>
    <message>
        <source>Cannot rename the label</source>
        <translation>无法重命名标签</translation>
    </message>
    <message>
        <source>Cannot merge the labels</source>
        <translation>无法合并标签</translation>
    </message>
    <message>
        <source>Cannot delete the label</source>
        <translation>无法删除标签</translation>
    </message>
    <message>
        <source>Cannot move the label</source>
        <translation>无法移动标签</translation>
    </message>
    <message>
        <source>There is no label named {label}.</source>
        <translation>不存在名为 {label} 的标签。</translation>
    </message>
    <message>
        <source>Cannot set the colour</source>
        <translation>无法设置颜色</translation>
    </message>
    <message>
        <source>Delete label</source>
        <translation>删除标签</translation>
    </message>
    <message>
        <source>You can undo this with Edit &gt; Undo.</source>
        <translation>可以用“编辑 &gt; 撤销”撤销此操作。</translation>
    </message>
    <message>
        <source>Add a label</source>
        <translation>添加标签</translation>
    </message>
    <message>
        <source>New label name:</source>
        <translation>新标签名称：</translation>
    </message>
    <message>
        <source>Rename label</source>
        <translation>重命名标签</translation>
    </message>
    <message>
        <source>New name for “{label}”:</source>
        <translation>“{label}”的新名称：</translation>
    </message>
    <message>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <source>“{label}”</source>
        <translation>“{label}”</translation>
    </message>
    <message>
        <source>Merge labels</source>
        <translation>合并标签</translation>
    </message>
    <message>
        <source>Relabel the rows of {labels} as:</source>
        <translation>将 {labels} 的行改标为：</translation>
    </message>
    <message>
        <source>Colour of “{label}”</source>
        <translation>“{label}”的颜色</translation>
    </message>
</context>
<context>
    <name>LabelWordsFinder</name>
    <message>
        <source>Loading the predictions…</source>
        <translation>正在加载预测结果…</translation>
    </message>
    <message>
        <source>Every row shown is predicted “{label}”: a label&apos;s words are those that set its rows apart from other labels&apos; rows. Predict more rows first.</source>
        <translation>显示的所有行都预测为“{label}”：一个标签的特征词是使其行区别于其他标签行的词。请先预测更多行。</translation>
    </message>
    <message>
        <source>The words could not be found: {error}</source>
        <translation>无法找出特征词：{error}</translation>
    </message>
    <message>
        <source>Finding each label&apos;s words</source>
        <translation>查找各标签的特征词</translation>
    </message>
    <message>
        <source>Too few rows per label: a word is listed when at least {min_rows} rows predicted as a label contain it, and more often than other labels&apos; rows do. Predict more rows.</source>
        <translation>每个标签的行太少：一个词只有在至少 {min_rows} 条预测为该标签的行中出现、且出现得比其他标签的行更频繁时才会列出。请预测更多行。</translation>
    </message>
</context>
<context>
    <name>LabelWordsView</name>
    <message>
        <source>Predict first: each predicted label&apos;s most characteristic words and phrases will be listed here.</source>
        <translation>请先预测：这里将列出每个预测标签最具特征的词和短语。</translation>
    </message>
    <message>
        <source>Finding the words that set each label apart…</source>
        <translation>正在查找区分各标签的特征词…</translation>
    </message>
    <message>
        <source>The words and two-word phrases that most set the rows predicted as each label apart from the rest (log-odds with an informative prior). Click one to list those rows.</source>
        <translation>最能将预测为各标签的行与其余行区分开的词和双词短语（基于带信息先验的对数几率）。点击某个词即可列出这些行。</translation>
    </message>
    <message>
        <source>{label}  ·  {count:,} rows predicted</source>
        <translation>{label}  ·  预测 {count:,} 行</translation>
    </message>
    <message>
        <source>No word stands out: too few of its rows share one.</source>
        <translation>没有突出的词：该标签的行很少有共同的词。</translation>
    </message>
    <message>
        <source>{containing:,} of the {count:,} rows predicted “{label}” contain “{term}”</source>
        <translation>预测为“{label}”的 {count:,} 行中有 {containing:,} 行包含“{term}”</translation>
    </message>
    <message>
        <source> ({inside:,} inside longer words)</source>
        <translation>（其中 {inside:,} 行出现在更长的词里）</translation>
    </message>
    <message>
        <source>; log-odds z = {score:.1f} against the other labels. Click to list them.</source>
        <translation>；相对其他标签的对数几率 z = {score:.1f}。点击列出这些行。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Spreadsheets ({patterns})</source>
        <translation>表格 ({patterns})</translation>
    </message>
    <message>
        <source>bertdesk projects ({patterns})</source>
        <translation>bertdesk 项目 ({patterns})</translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation>所有文件 (*)</translation>
    </message>
    <message>
        <source>Spreadsheets and projects ({patterns})</source>
        <translation>表格和项目 ({patterns})</translation>
    </message>
    <message>
        <source>Data</source>
        <translation>数据</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>标注</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>Predict</source>
        <translation>预测</translation>
    </message>
    <message>
        <source>Attention</source>
        <translation>注意力</translation>
    </message>
    <message>
        <source>{panel} ({keys})</source>
        <translation>{panel}（{keys}）</translation>
    </message>
    <message>
        <source>Show {panel}</source>
        <translation>显示{panel}</translation>
    </message>
    <message>
        <source>Choose a row first (in the Data, Label or Predict panel), then Find Similar Rows.</source>
        <translation>请先（在数据、标注或预测面板中）选择一行，再查找相似行。</translation>
    </message>
    <message>
        <source>Retraining in the background; the most-uncertain queue updates when it is done.</source>
        <translation>正在后台重新训练；完成后“最不确定”队列会随之更新。</translation>
    </message>
    <message>
        <source>Predicting the unlabelled rows with run {run}</source>
        <translation>正在用第 {run} 次训练的模型预测未标注的行</translation>
    </message>
    <message>
        <source>Run {run} predicted {count:,} unlabelled rows; the queue is up to date.</source>
        <translation>第 {run} 次训练的模型已预测 {count:,} 个未标注的行；队列已更新。</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Stop this job (Esc)</source>
        <translation>停止此任务（Esc）</translation>
    </message>
    <message>
        <source>Each label is written to the project file the moment you set it</source>
        <translation>每个标签在设置的那一刻就写入项目文件</translation>
    </message>
    <message>
        <source>Details…</source>
        <translation>详细信息…</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;New Project from Spreadsheet…</source>
        <translation>从表格新建项目(&amp;N)…</translation>
    </message>
    <message>
        <source>&amp;Open…</source>
        <translation>打开(&amp;O)…</translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <source>Open the &amp;Sample Data</source>
        <translation>打开示例数据(&amp;S)</translation>
    </message>
    <message>
        <source>Save Project &amp;As…</source>
        <translation>项目另存为(&amp;A)…</translation>
    </message>
    <message>
        <source>&amp;Close Project</source>
        <translation>关闭项目(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>撤销(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>重做(&amp;R)</translation>
    </message>
    <message>
        <source>Cancel Job</source>
        <translation>取消任务</translation>
    </message>
    <message>
        <source>&amp;Labels</source>
        <translation>标签(&amp;L)</translation>
    </message>
    <message>
        <source>Edit Label &amp;Set…</source>
        <translation>编辑标签集(&amp;S)…</translation>
    </message>
    <message>
        <source>Find S&amp;uspicious Labels</source>
        <translation>查找可疑标签(&amp;U)</translation>
    </message>
    <message>
        <source>Rank the labelled rows by how likely their label is wrong, and review them</source>
        <translation>按标签出错的可能性给已标注的行排序，并逐一复核</translation>
    </message>
    <message>
        <source>Find Si&amp;milar Rows…</source>
        <translation>查找相似行(&amp;M)…</translation>
    </message>
    <message>
        <source>The rows most like the current one (Data, Label or Predict panel), to label them at once</source>
        <translation>与当前行（数据、标注或预测面板）最相似的行，可一次性标注</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;User Guide</source>
        <translation>用户指南(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Keyboard Shortcuts</source>
        <translation>键盘快捷键(&amp;K)</translation>
    </message>
    <message>
        <source>&amp;About bertdesk</source>
        <translation>关于 bertdesk(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>System Default</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>bertdesk will be shown in {language} from its next start.</source>
        <translation>bertdesk 下次启动时将以{language}显示。</translation>
    </message>
    <message>
        <source>Restart Now</source>
        <translation>立即重启</translation>
    </message>
    <message>
        <source>Later</source>
        <translation>稍后</translation>
    </message>
    <message>
        <source>A job is still running</source>
        <translation>仍有任务在运行</translation>
    </message>
    <message>
        <source>A job is still running. Cancel it and quit?</source>
        <translation>仍有任务在运行。要取消它并退出吗？</translation>
    </message>
    <message>
        <source>Open a spreadsheet or project</source>
        <translation>打开表格或项目</translation>
    </message>
    <message>
        <source>Open a spreadsheet</source>
        <translation>打开表格</translation>
    </message>
    <message>
        <source>Open a project</source>
        <translation>打开项目</translation>
    </message>
    <message>
        <source>Wait for the running job to finish, or cancel it.</source>
        <translation>请等待正在运行的任务完成，或取消它。</translation>
    </message>
    <message>
        <source>{file}: the file does not exist (was it moved or deleted?).</source>
        <translation>{file}：文件不存在（是否已被移动或删除？）。</translation>
    </message>
    <message>
        <source>Cannot open</source>
        <translation>无法打开</translation>
    </message>
    <message>
        <source>Opening the project</source>
        <translation>正在打开项目</translation>
    </message>
    <message>
        <source>Importing {file}</source>
        <translation>正在导入 {file}</translation>
    </message>
    <message>
        <source>Saved ✓</source>
        <translation>已保存 ✓</translation>
    </message>
    <message>
        <source>Save project as</source>
        <translation>项目另存为</translation>
    </message>
    <message>
        <source>bertdesk project ({patterns})</source>
        <translation>bertdesk 项目 ({patterns})</translation>
    </message>
    <message>
        <source>Saving a copy of the project</source>
        <translation>正在保存项目副本</translation>
    </message>
    <message>
        <source>Labelling rows</source>
        <translation>正在标注</translation>
    </message>
    <message>
        <source>Clearing labels</source>
        <translation>正在清除标签</translation>
    </message>
    <message>
        <source>{title}: {count:,} rows</source>
        <translation>{title}：{count:,} 行</translation>
    </message>
    <message>
        <source>Wait for the running job to finish first.</source>
        <translation>请先等待正在运行的任务完成。</translation>
    </message>
    <message>
        <source>Saved ✓ {time}</source>
        <translation>已保存 ✓ {time}</translation>
    </message>
    <message>
        <source>Opened {file}</source>
        <translation>已打开 {file}</translation>
    </message>
    <message>
        <source>Imported {count:,} rows into {file}</source>
        <translation>已将 {count:,} 行导入 {file}</translation>
    </message>
    <message>
        <source>{title}: cancelled</source>
        <translation>{title}：已取消</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <source>Clear the List</source>
        <translation>清空列表</translation>
    </message>
    <message>
        <source>&amp;Undo {step}</source>
        <translation>撤销 {step}(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Redo {step}</source>
        <translation>重做 {step}(&amp;R)</translation>
    </message>
    <message>
        <source>About bertdesk</source>
        <translation>关于 bertdesk</translation>
    </message>
    <message>
        <source>bertdesk {version}
Classify the text in your spreadsheets with BERT, without writing code.</source>
        <translation>bertdesk {version}
用 BERT 为表格中的文本分类，无需编写代码。</translation>
    </message>
</context>
<context>
    <name>PredictFilterBar</name>
    <message>
        <source>All rows</source>
        <translation>全部行</translation>
    </message>
    <message>
        <source>Prediction ≠ label</source>
        <translation>预测 ≠ 标签</translation>
    </message>
    <message>
        <source>Prediction = label</source>
        <translation>预测 = 标签</translation>
    </message>
    <message>
        <source>Labelled rows</source>
        <translation>已标注的行</translation>
    </message>
    <message>
        <source>Unlabelled rows</source>
        <translation>未标注的行</translation>
    </message>
    <message>
        <source>The label a person gave</source>
        <translation>人工标注的标签</translation>
    </message>
    <message>
        <source>The label the model predicted</source>
        <translation>模型预测的标签</translation>
    </message>
    <message>
        <source>Lowest confidence shown</source>
        <translation>显示的最低置信度</translation>
    </message>
    <message>
        <source>Highest confidence shown</source>
        <translation>显示的最高置信度</translation>
    </message>
    <message>
        <source>Text contains…</source>
        <translation>文本包含…</translation>
    </message>
    <message>
        <source>Clear filters</source>
        <translation>清除筛选</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>Predicted</source>
        <translation>预测</translation>
    </message>
    <message>
        <source>Confidence</source>
        <translation>置信度</translation>
    </message>
    <message>
        <source>(unlabelled)</source>
        <translation>（未标注）</translation>
    </message>
    <message>
        <source>Any</source>
        <translation>任意</translation>
    </message>
</context>
<context>
    <name>PredictPanel</name>
    <message>
        <source>least confidence</source>
        <translation>置信度最低</translation>
    </message>
    <message>
        <source>smallest margin</source>
        <translation>边际最小</translation>
    </message>
    <message>
        <source>highest entropy</source>
        <translation>熵最高</translation>
    </message>
    <message>
        <source>Predict all rows</source>
        <translation>预测所有行</translation>
    </message>
    <message>
        <source>Predict unlabelled rows</source>
        <translation>预测未标注的行</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>No project open.</source>
        <translation>未打开项目。</translation>
    </message>
    <message>
        <source>Accept prediction</source>
        <translation>采纳预测</translation>
    </message>
    <message>
        <source>Label the selected rows with their predicted label (Ctrl+Z undoes)</source>
        <translation>将所选行标注为其预测标签（Ctrl+Z 撤销）</translation>
    </message>
    <message>
        <source>Label every unlabelled row whose prediction is at least this confident (one undo step)</source>
        <translation>将预测置信度不低于此值的所有未标注行标注为预测标签（一步即可撤销）</translation>
    </message>
    <message>
        <source>Label most uncertain first</source>
        <translation>优先标注最不确定的行</translation>
    </message>
    <message>
        <source>Label the unlabelled rows the model is least sure about, in the Label panel, with its suggestions: they teach it most</source>
        <translation>在标注面板中按模型的建议标注它最不确定的未标注行：这些行对模型帮助最大</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>No trained model yet: train one on the Train panel first.</source>
        <translation>尚无训练好的模型：请先在训练面板中训练一个。</translation>
    </message>
    <message>
        <source>active run</source>
        <translation>当前使用</translation>
    </message>
    <message>
        <source>latest run</source>
        <translation>最近一次</translation>
    </message>
    <message>
        <source>{count:,} of {total:,} rows predicted.</source>
        <translation>已预测 {count:,}/{total:,} 行。</translation>
    </message>
    <message>
        <source>no predictions yet.</source>
        <translation>尚无预测结果。</translation>
    </message>
    <message>
        <source>Run {run} ({state}, {model}): {predicted}</source>
        <translation>第 {run} 次训练（{state}，{model}）：{predicted}</translation>
    </message>
    <message>
        <source>Loading predictions</source>
        <translation>加载预测结果</translation>
    </message>
    <message>
        <source>Loading {count:,} predictions of run {run}…</source>
        <translation>正在加载第 {run} 次训练的 {count:,} 条预测…</translation>
    </message>
    <message>
        <source>{shown:,} of {total:,} rows</source>
        <translation>{shown:,}/{total:,} 行</translation>
    </message>
    <message>
        <source>No validation rows recorded for this run.</source>
        <translation>本次训练没有记录验证集行。</translation>
    </message>
    <message>
        <source>(unlabelled)</source>
        <translation>（未标注）</translation>
    </message>
    <message>
        <source>Showing the {shown:,} rows predicted “{label}” whose text contains “{term}” (Clear filters shows every row).</source>
        <translation>显示预测为“{label}”且文本包含“{term}”的 {shown:,} 行（点击“清除筛选”显示所有行）。</translation>
    </message>
    <message>
        <source>Reading the predictions back…</source>
        <translation>正在读取预测结果…</translation>
    </message>
    <message>
        <source>Predicting</source>
        <translation>预测</translation>
    </message>
    <message>
        <source>Prediction cancelled; earlier predictions are kept.</source>
        <translation>预测已取消，之前的预测结果仍保留。</translation>
    </message>
    <message>
        <source>Loading the model…</source>
        <translation>正在加载模型…</translation>
    </message>
    <message>
        <source>Predicting unlabelled rows with run {run}…</source>
        <translation>正在用第 {run} 次训练的模型预测未标注的行…</translation>
    </message>
    <message>
        <source>Predicting all rows with run {run}…</source>
        <translation>正在用第 {run} 次训练的模型预测所有行…</translation>
    </message>
    <message>
        <source>Predicted {count:,} rows with run {run}.</source>
        <translation>已用第 {run} 次训练的模型预测 {count:,} 行。</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <source>No predictions selected to accept.</source>
        <translation>未选择要采纳的预测。</translation>
    </message>
    <message>
        <source>Accepted {count:,} predictions selected (Undo reverses it).</source>
        <translation>已采纳所选的 {count:,} 条预测（可撤销）。</translation>
    </message>
    <message>
        <source>No predictions above {percent:.0f}% to accept.</source>
        <translation>没有高于 {percent:.0f}% 的预测可采纳。</translation>
    </message>
    <message>
        <source>Accepted {count:,} predictions above {percent:.0f}% (Undo reverses it).</source>
        <translation>已采纳 {count:,} 条高于 {percent:.0f}% 的预测（可撤销）。</translation>
    </message>
    <message>
        <source>Wait for the running job to finish first.</source>
        <translation>请等待正在运行的任务完成。</translation>
    </message>
    <message>
        <source>Accepting predictions</source>
        <translation>采纳预测</translation>
    </message>
    <message>
        <source>Accepting {count:,} predictions…</source>
        <translation>正在采纳 {count:,} 条预测…</translation>
    </message>
    <message>
        <source>{count:,} unlabelled rows, most uncertain first</source>
        <translation>{count:,} 条未标注的行，最不确定的在前</translation>
    </message>
    <message>
        <source>Export predictions</source>
        <translation>导出预测结果</translation>
    </message>
    <message>
        <source>CSV (*.csv);;Excel (*.xlsx);;Parquet (*.parquet)</source>
        <translation>CSV (*.csv);;Excel (*.xlsx);;Parquet (*.parquet)</translation>
    </message>
    <message>
        <source>Exporting predictions</source>
        <translation>导出预测结果</translation>
    </message>
    <message>
        <source>Exported to {path}.</source>
        <translation>已导出到 {path}。</translation>
    </message>
    <message>
        <source>Export cancelled; no file was written.</source>
        <translation>导出已取消，未写入任何文件。</translation>
    </message>
    <message>
        <source>Accept all above {percent:.0f}%</source>
        <translation>采纳所有高于 {percent:.0f}% 的预测</translation>
    </message>
    <message>
        <source>Accept Prediction for 1 Selected Row</source>
        <translation>采纳所选 1 行的预测</translation>
    </message>
    <message>
        <source>Accept Prediction for {count:,} Selected Rows</source>
        <translation>采纳所选 {count:,} 行的预测</translation>
    </message>
    <message>
        <source>Find Similar Rows…</source>
        <translation>查找相似行…</translation>
    </message>
    <message>
        <source>Find Rows Like Row {row:,}…</source>
        <translation>查找与第 {row:,} 行相似的行…</translation>
    </message>
    <message>
        <source>Validation: {true} → {predicted} ({count})</source>
        <translation>验证集：{true} → {predicted}（{count}）</translation>
    </message>
    <message>
        <source>Row {row}: {text}</source>
        <translation>第 {row} 行：{text}</translation>
    </message>
</context>
<context>
    <name>PredictViews</name>
    <message>
        <source>Predict to see a map of the rows (PCA of their embeddings).</source>
        <translation>预测后即可在此查看各行的分布图（对其嵌入向量做 PCA）。</translation>
    </message>
    <message>
        <source>Precision</source>
        <translation>精确率</translation>
    </message>
    <message>
        <source>Recall</source>
        <translation>召回率</translation>
    </message>
    <message>
        <source>F1</source>
        <translation>F1</translation>
    </message>
    <message>
        <source>Rows</source>
        <translation>行数</translation>
    </message>
    <message>
        <source>Colour by prediction</source>
        <translation>按预测着色</translation>
    </message>
    <message>
        <source>Colour by label</source>
        <translation>按标签着色</translation>
    </message>
    <message>
        <source>Confidence</source>
        <translation>置信度</translation>
    </message>
    <message>
        <source>Validation</source>
        <translation>验证集</translation>
    </message>
    <message>
        <source>Map</source>
        <translation>分布图</translation>
    </message>
    <message>
        <source>Words</source>
        <translation>特征词</translation>
    </message>
    <message>
        <source>What each predicted label is about: its most characteristic words and phrases</source>
        <translation>每个预测标签的含义：其最具特征的词和短语</translation>
    </message>
    <message>
        <source>{rows:,} rows shown; median confidence {median:.1f}%; {above:,} at or above {threshold:.0f}%.</source>
        <translation>显示 {rows:,} 行；置信度中位数 {median:.1f}%；{above:,} 行不低于 {threshold:.0f}%。</translation>
    </message>
    <message>
        <source> (always “{label}”: {accuracy:.1f}%)</source>
        <translation>（始终回答“{label}”：{accuracy:.1f}%）</translation>
    </message>
    <message>
        <source>{rows:,} validation rows of run {run}: accuracy {accuracy:.1f}%{beside}.</source>
        <translation>第 {run} 次训练的 {rows:,} 条验证集行：准确率 {accuracy:.1f}%{beside}。</translation>
    </message>
    <message>
        <source>Rows: true label; columns: predicted. Click a cell to list its rows.</source>
        <translation>行：真实标签；列：预测标签。点击单元格可列出其中的行。</translation>
    </message>
</context>
<context>
    <name>PredictionTableModel</name>
    <message>
        <source>Row</source>
        <translation>行</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>文本</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>Predicted</source>
        <translation>预测</translation>
    </message>
    <message>
        <source>Confidence</source>
        <translation>置信度</translation>
    </message>
</context>
<context>
    <name>ReviewBar</name>
    <message>
        <source>fast</source>
        <translation>快速</translation>
    </message>
    <message>
        <source>thorough</source>
        <translation>充分</translation>
    </message>
    <message>
        <source>about {share:.0%} of the {labels:,} labels look wrong, most in &quot;{label}&quot; ({label_share:.0%})</source>
        <translation>{labels:,}个标签中约{share:.0%}看起来有误，其中“{label}”最多（{label_share:.0%}）</translation>
    </message>
    <message>
        <source>about {share:.0%} of the {labels:,} labels look wrong</source>
        <translation>{labels:,}个标签中约{share:.0%}看起来有误</translation>
    </message>
    <message>
        <source>Find suspicious labels</source>
        <translation>查找可疑标签</translation>
    </message>
    <message>
        <source>Fast: embeds every labelled text with the model and checks each label against a classifier trained on the other labels (5 folds). Seconds to a minute.</source>
        <translation>快速：用模型为每条已标注文本计算嵌入，再用在其余标签上训练的分类器检查每个标签（5 折）。需要几秒到一分钟。</translation>
    </message>
    <message>
        <source>Thorough</source>
        <translation>充分检查</translation>
    </message>
    <message>
        <source>Fine-tunes the model 5 times, each without one fifth of the labels: better, much slower.</source>
        <translation>将模型微调 5 次，每次留出五分之一的标签：结果更好，但慢得多。</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Which labels look wrong? The review checks every label against what the other labels teach the model.</source>
        <translation>哪些标签可能有误？复核会对照其他标签教给模型的内容，逐一检查每个标签。</translation>
    </message>
    <message>
        <source>Check again</source>
        <translation>重新检查</translation>
    </message>
    <message>
        <source>all looked at</source>
        <translation>已全部查看</translation>
    </message>
    <message>
        <source>{count:,} suspicious</source>
        <translation>{count:,}行可疑</translation>
    </message>
    <message>
        <source>{done} · {reviewed:,} reviewed · {summary}</source>
        <translation>{done} · 已复核{reviewed:,}行 · {summary}</translation>
    </message>
    <message>
        <source>From a {mode} check of {labels:,} labels, {when}. Rows relabelled or kept since are done.</source>
        <translation>来自{when}对{labels:,}个标签的{mode}检查。此后重新标注或保留的行视为已处理。</translation>
    </message>
    <message>
        <source>Checking the labels ({mode})…  Esc cancels</source>
        <translation>正在检查标签（{mode}）…  按 Esc 取消</translation>
    </message>
    <message>
        <source>{message}  Esc cancels</source>
        <translation>{message}  按 Esc 取消</translation>
    </message>
</context>
<context>
    <name>RunDetailsDialog</name>
    <message>
        <source>Label</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>Precision</source>
        <translation>精确率</translation>
    </message>
    <message>
        <source>Recall</source>
        <translation>召回率</translation>
    </message>
    <message>
        <source>F1</source>
        <translation>F1</translation>
    </message>
    <message>
        <source>Support</source>
        <translation>样本数</translation>
    </message>
    <message>
        <source>true \ predicted</source>
        <translation>真实 \ 预测</translation>
    </message>
    <message>
        <source>Training run {run}</source>
        <translation>第 {run} 次训练</translation>
    </message>
    <message>
        <source>Date:</source>
        <translation>日期：</translation>
    </message>
    <message>
        <source>Status:</source>
        <translation>状态：</translation>
    </message>
    <message>
        <source>  (active model)</source>
        <translation>（当前模型）</translation>
    </message>
    <message>
        <source>Settings:</source>
        <translation>设置：</translation>
    </message>
    <message>
        <source>Started from:</source>
        <translation>起始模型：</translation>
    </message>
    <message>
        <source>Device:</source>
        <translation>设备：</translation>
    </message>
    <message>
        <source> (stopped early)</source>
        <translation>（提前停止）</translation>
    </message>
    <message>
        <source>Duration:</source>
        <translation>用时：</translation>
    </message>
    <message>
        <source>{train} for training, {validation} for validation</source>
        <translation>{train} 行用于训练，{validation} 行用于验证</translation>
    </message>
    <message>
        <source>Rows:</source>
        <translation>行数：</translation>
    </message>
    <message>
        <source>Model folder:</source>
        <translation>模型文件夹：</translation>
    </message>
    <message>
        <source>Error:</source>
        <translation>错误：</translation>
    </message>
    <message>
        <source>Full report</source>
        <translation>完整报告</translation>
    </message>
    <message>
        <source>This run has no validation scores.</source>
        <translation>这次训练没有验证集得分。</translation>
    </message>
    <message>
        <source>Validation {scores} on {count} rows.</source>
        <translation>验证集（{count} 行）：{scores}。</translation>
    </message>
    <message>
        <source>Confusion matrix (rows: true label, columns: predicted label):</source>
        <translation>混淆矩阵（行：真实标签，列：预测标签）：</translation>
    </message>
    <message>
        <source>Warnings:</source>
        <translation>警告：</translation>
    </message>
</context>
<context>
    <name>RunHistoryWidget</name>
    <message>
        <source>Run</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Accuracy</source>
        <translation>准确率</translation>
    </message>
    <message>
        <source>Macro-F1</source>
        <translation>宏平均 F1</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>用时</translation>
    </message>
    <message>
        <source>{n} epoch</source>
        <translation>{n} 轮</translation>
    </message>
    <message>
        <source>{n} epochs</source>
        <translation>{n} 轮</translation>
    </message>
    <message>
        <source>lr {rate}</source>
        <translation>学习率 {rate}</translation>
    </message>
    <message>
        <source>{n} tokens</source>
        <translation>{n} 个 token</translation>
    </message>
    <message>
        <source>{s}s</source>
        <translation>{s} 秒</translation>
    </message>
    <message>
        <source>{m}m {s:02d}s</source>
        <translation>{m} 分 {s:02d} 秒</translation>
    </message>
    <message>
        <source>{h}h {m:02d}m</source>
        <translation>{h} 小时 {m:02d} 分</translation>
    </message>
    <message>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>finished</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <source>cancelled, no model</source>
        <translation>已取消，无模型</translation>
    </message>
    <message>
        <source>always “{label}”: {accuracy:.3f}</source>
        <translation>一律回答“{label}”：{accuracy:.3f}</translation>
    </message>
    <message>
        <source>no validation rows</source>
        <translation>没有验证集行</translation>
    </message>
    <message>
        <source>accuracy {accuracy:.3f}, macro-F1 {f1:.3f}</source>
        <translation>准确率 {accuracy:.3f}，宏平均 F1 {f1:.3f}</translation>
    </message>
    <message>
        <source>accuracy {accuracy:.3f} ({baseline}), macro-F1 {f1:.3f}</source>
        <translation>准确率 {accuracy:.3f}（{baseline}），宏平均 F1 {f1:.3f}</translation>
    </message>
    <message>
        <source>This model does not beat always answering “{label}” (accuracy {accuracy:.3f} vs {baseline:.3f}), though its macro-F1 ({f1:.3f} vs {baseline_f1:.3f}) shows it finds the rarer labels.</source>
        <translation>此模型没有胜过一律回答“{label}”（准确率 {accuracy:.3f}，对比 {baseline:.3f}），不过其宏平均 F1（{f1:.3f}，对比 {baseline_f1:.3f}）表明它能识别较少见的标签。</translation>
    </message>
    <message>
        <source>This model does not beat always answering “{label}” (accuracy {accuracy:.3f} vs {baseline:.3f}): label more rows, raise the max length, or try the Thorough preset.</source>
        <translation>此模型没有胜过一律回答“{label}”（准确率 {accuracy:.3f}，对比 {baseline:.3f}）：请标注更多行、提高最大长度，或试试“充分”预设。</translation>
    </message>
    <message>
        <source>Apple GPU</source>
        <translation>Apple GPU</translation>
    </message>
    <message>
        <source>{n} × {kind}</source>
        <translation>{n} × {kind}</translation>
    </message>
    <message>
        <source>{n} processes, effective batch {batch}</source>
        <translation>{n} 个进程，有效批大小 {batch}</translation>
    </message>
    <message>
        <source>cancelled (model kept)</source>
        <translation>已取消（模型已保留）</translation>
    </message>
    <message>
        <source>training…</source>
        <translation>训练中…</translation>
    </message>
    <message>
        <source>Run history</source>
        <translation>训练记录</translation>
    </message>
    <message>
        <source>★ marks the active model: the one used for predictions.</source>
        <translation>★ 标记当前模型，即预测所用的模型。</translation>
    </message>
    <message>
        <source>Use this model</source>
        <translation>使用此模型</translation>
    </message>
    <message>
        <source>Make this run&apos;s model the one used for predictions.</source>
        <translation>将此次训练的模型设为预测所用的模型。</translation>
    </message>
    <message>
        <source>Delete run…</source>
        <translation>删除训练记录…</translation>
    </message>
    <message>
        <source>Delete the run and its model folder (asks first).</source>
        <translation>删除该训练记录及其模型文件夹（会先确认）。</translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation>打开文件夹</translation>
    </message>
    <message>
        <source>Show the run&apos;s model folder in the file manager.</source>
        <translation>在文件管理器中显示此次训练的模型文件夹。</translation>
    </message>
    <message>
        <source>Details…</source>
        <translation>详情…</translation>
    </message>
    <message>
        <source>Per-label scores and the confusion matrix (or double-click a run).</source>
        <translation>各标签的得分和混淆矩阵（也可双击某次训练）。</translation>
    </message>
    <message>
        <source>The active model: predictions use it.</source>
        <translation>当前模型：预测使用的就是它。</translation>
    </message>
    <message>
        <source>Cancelled before its first evaluation: no model was saved. Delete run… removes it from this list.</source>
        <translation>在第一次评估前就已取消：没有保存模型。可用“删除训练记录…”把它从列表中移除。</translation>
    </message>
</context>
<context>
    <name>SaliencyView</name>
    <message>
        <source>{percent:.0f} % of the strongest word</source>
        <translation>为最强词的 {percent:.0f}%</translation>
    </message>
</context>
<context>
    <name>ShortcutsDialog</name>
    <message>
        <source>Data panel</source>
        <translation>数据面板</translation>
    </message>
    <message>
        <source>Click a column header</source>
        <translation>点击列标题</translation>
    </message>
    <message>
        <source>Sort by it; again: descending; a third time: file order</source>
        <translation>按该列排序；再按一次：降序；第三次：恢复文件原顺序</translation>
    </message>
    <message>
        <source>Double-click a row</source>
        <translation>双击某一行</translation>
    </message>
    <message>
        <source>Explain it in the Attention panel</source>
        <translation>在注意力面板中解释它</translation>
    </message>
    <message>
        <source>Attention panel</source>
        <translation>注意力面板</translation>
    </message>
    <message>
        <source>Explain the text</source>
        <translation>解释这段文本</translation>
    </message>
    <message>
        <source>Window</source>
        <translation>窗口</translation>
    </message>
    <message>
        <source>Label panel</source>
        <translation>标注面板</translation>
    </message>
    <message>
        <source>Where</source>
        <translation>位置</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>按键</translation>
    </message>
    <message>
        <source>Does</source>
        <translation>作用</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
</context>
<context>
    <name>SimilarRowsDialog</name>
    <message>
        <source>Similarity</source>
        <translation>相似度</translation>
    </message>
    <message>
        <source>Row</source>
        <translation>行</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>标注</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>文本</translation>
    </message>
    <message>
        <source>Rows like row {row:,}</source>
        <translation>与第 {row:,} 行相似的行</translation>
    </message>
    <message>
        <source>Row {row:,}: {text}</source>
        <translation>第 {row:,} 行：{text}</translation>
    </message>
    <message>
        <source>Show the </source>
        <translation>显示 </translation>
    </message>
    <message>
        <source> most similar rows</source>
        <translation> 个最相似的行</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Finding similar rows…</source>
        <translation>正在查找相似行…</translation>
    </message>
    <message>
        <source>Finding similar rows</source>
        <translation>查找相似行</translation>
    </message>
    <message>
        <source>Stopped. The rows embedded so far are kept; Show again to go on.</source>
        <translation>已停止。已完成嵌入的行会保留；再次显示即可继续。</translation>
    </message>
    <message>
        <source>The {count:,} rows most like row {row:,} by meaning (cosine similarity of embeddings). Tick the ones to label: click a box, or select rows (Shift+↓) and press Space.</source>
        <translation>按语义与第 {row:,} 行最相似的 {count:,} 行（嵌入向量的余弦相似度）。勾选要标注的行：点击复选框，或选中多行（Shift+↓）后按空格。</translation>
    </message>
    <message>
        <source>Label these {count:,} as</source>
        <translation>将这 {count:,} 行标注为</translation>
    </message>
    <message>
        <source>Labelled 1 row &quot;{label}&quot; · Ctrl+Z in the window undoes it in one step.</source>
        <translation>已将 1 行标注为“{label}” · 在主窗口按 Ctrl+Z 可一步撤销。</translation>
    </message>
    <message>
        <source>Labelled {count:,} rows &quot;{label}&quot; · Ctrl+Z in the window undoes it in one step.</source>
        <translation>已将 {count:,} 行标注为“{label}” · 在主窗口按 Ctrl+Z 可一步撤销。</translation>
    </message>
</context>
<context>
    <name>TrainPanel</name>
    <message>
        <source>Start training</source>
        <translation>开始训练</translation>
    </message>
    <message>
        <source>Fine-tune the model on the labelled rows (runs in the background).</source>
        <translation>用已标注的行微调模型（在后台运行）。</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Stop training (Esc). A model evaluated at least once is kept.</source>
        <translation>停止训练（Esc）。至少评估过一次的模型会被保留。</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Data</source>
        <translation>数据</translation>
    </message>
    <message>
        <source>Ready.</source>
        <translation>就绪。</translation>
    </message>
    <message>
        <source>Cannot start training</source>
        <translation>无法开始训练</translation>
    </message>
    <message>
        <source>Run {run} (training)</source>
        <translation>第 {run} 次训练（训练中）</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>正在启动…</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>Training run {run} on {rows} labelled rows…</source>
        <translation>第 {run} 次训练，使用 {rows} 行已标注数据…</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <source>Cancelling training…</source>
        <translation>正在取消训练…</translation>
    </message>
    <message>
        <source>Could not list GPUs ({error}); training will use the CPU.</source>
        <translation>无法列出 GPU（{error}）；将使用 CPU 训练。</translation>
    </message>
    <message>
        <source>Training run {run} cancelled; kept the best model so far ({scores}).</source>
        <translation>第 {run} 次训练已取消；保留了目前最好的模型（{scores}）。</translation>
    </message>
    <message>
        <source>Training run {run} finished: {scores}.</source>
        <translation>第 {run} 次训练完成：{scores}。</translation>
    </message>
    <message>
        <source>Training failed: {error}</source>
        <translation>训练失败：{error}</translation>
    </message>
    <message>
        <source>Training failed.</source>
        <translation>训练失败。</translation>
    </message>
    <message>
        <source>Training failed</source>
        <translation>训练失败</translation>
    </message>
    <message>
        <source>Training run {run} cancelled before the first evaluation; no model was saved.</source>
        <translation>第 {run} 次训练在第一次评估前已取消；没有保存模型。</translation>
    </message>
    <message>
        <source>No training runs yet.</source>
        <translation>还没有训练记录。</translation>
    </message>
    <message>
        <source>Run {run} ({status})</source>
        <translation>第 {run} 次训练（{status}）</translation>
    </message>
    <message>
        <source>★ active</source>
        <translation>★ 当前模型</translation>
    </message>
    <message>
        <source>Predictions now use the model of run {run}.</source>
        <translation>预测现在使用第 {run} 次训练的模型。</translation>
    </message>
    <message>
        <source>Its model folder will be deleted:</source>
        <translation>其模型文件夹将被删除：</translation>
    </message>
    <message>
        <source>It is the active model: predictions will have no model until you choose another.</source>
        <translation>它是当前模型：在你选择其他模型之前，预测将没有可用的模型。</translation>
    </message>
    <message>
        <source>Delete run</source>
        <translation>删除训练记录</translation>
    </message>
    <message>
        <source>Delete training run {run}?</source>
        <translation>删除第 {run} 次训练？</translation>
    </message>
    <message>
        <source>Could not delete the run</source>
        <translation>无法删除训练记录</translation>
    </message>
    <message>
        <source>Deleted training run {run}.</source>
        <translation>已删除第 {run} 次训练。</translation>
    </message>
    <message>
        <source>Train on CPU</source>
        <translation>在 CPU 上训练</translation>
    </message>
    <message>
        <source>Epoch {epoch}/{epochs}</source>
        <translation>第 {epoch}/{epochs} 轮</translation>
    </message>
    <message>
        <source>step {step}/{steps}</source>
        <translation>第 {step}/{steps} 步</translation>
    </message>
    <message>
        <source>loss {loss}</source>
        <translation>损失 {loss}</translation>
    </message>
    <message>
        <source>{time} left (at most)</source>
        <translation>最多剩余 {time}</translation>
    </message>
    <message>
        <source>{time} left</source>
        <translation>剩余 {time}</translation>
    </message>
    <message>
        <source>Validation: {scores} (best so far)</source>
        <translation>验证集：{scores}（目前最好）</translation>
    </message>
    <message>
        <source>Validation: {scores}</source>
        <translation>验证集：{scores}</translation>
    </message>
    <message>
        <source>Effective batch {total} = {per} per process x {processes} processes x {steps} accumulation step</source>
        <translation>有效批大小 {total} = 每个进程 {per} × {processes} 个进程 × {steps} 个累积步</translation>
    </message>
    <message>
        <source>Effective batch {total} = {per} per process x {processes} processes x {steps} accumulation steps</source>
        <translation>有效批大小 {total} = 每个进程 {per} × {processes} 个进程 × {steps} 个累积步</translation>
    </message>
    <message>
        <source>Evaluating on {n} validation rows...</source>
        <translation>正在用 {n} 行验证集评估…</translation>
    </message>
    <message>
        <source>Loading the model...</source>
        <translation>正在加载模型…</translation>
    </message>
    <message>
        <source>Tokenising {n} rows...</source>
        <translation>正在对 {n} 行进行分词…</translation>
    </message>
    <message>
        <source>Saving the model...</source>
        <translation>正在保存模型…</translation>
    </message>
    <message>
        <source>Saved the model to {path}</source>
        <translation>模型已保存到 {path}</translation>
    </message>
    <message>
        <source>Starting {n} training processes (torchrun)...</source>
        <translation>正在启动 {n} 个训练进程（torchrun）…</translation>
    </message>
    <message>
        <source>Training {model} on {device}, {precision}</source>
        <translation>正在 {device} 上训练 {model}，精度 {precision}</translation>
    </message>
    <message>
        <source>{model} reads at most {n} tokens per text; max length {length} is cut to {n}.</source>
        <translation>{model} 每条文本最多读取 {n} 个 token；最大长度 {length} 将被截为 {n}。</translation>
    </message>
    <message>
        <source>Out of memory: retrying with batch {batch} x {steps} accumulation steps (same effective batch of {total}).</source>
        <translation>内存不足：改用批大小 {batch} × {steps} 个累积步重试（有效批大小不变，仍为 {total}）。</translation>
    </message>
</context>
<context>
    <name>TrainPlots</name>
    <message>
        <source>Training loss</source>
        <translation>训练损失</translation>
    </message>
    <message>
        <source>epoch</source>
        <translation>轮</translation>
    </message>
    <message>
        <source>loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <source>Validation</source>
        <translation>验证集</translation>
    </message>
    <message>
        <source>score</source>
        <translation>得分</translation>
    </message>
    <message>
        <source>accuracy</source>
        <translation>准确率</translation>
    </message>
    <message>
        <source>macro-F1</source>
        <translation>宏平均 F1</translation>
    </message>
</context>
<context>
    <name>TrainSettingsWidget</name>
    <message>
        <source>all-MiniLM-L6-v2 (bundled)</source>
        <translation>all-MiniLM-L6-v2（附带）</translation>
    </message>
    <message>
        <source>auto (best for the device)</source>
        <translation>自动（按设备选最佳）</translation>
    </message>
    <message>
        <source>fp32 (full precision)</source>
        <translation>fp32（全精度）</translation>
    </message>
    <message>
        <source>bf16 (mixed)</source>
        <translation>bf16（混合精度）</translation>
    </message>
    <message>
        <source>fp16 (mixed, GPU only)</source>
        <translation>fp16（混合精度，仅限 GPU）</translation>
    </message>
    <message>
        <source>Fast</source>
        <translation>快速</translation>
    </message>
    <message>
        <source>Balanced</source>
        <translation>均衡</translation>
    </message>
    <message>
        <source>Thorough</source>
        <translation>充分</translation>
    </message>
    <message>
        <source>A first look in a minute or two: fewer epochs, shorter texts.</source>
        <translation>一两分钟内先看个大概：轮数更少，文本更短。</translation>
    </message>
    <message>
        <source>Good defaults for most tables.</source>
        <translation>适合大多数表格的默认设置。</translation>
    </message>
    <message>
        <source>Longer texts, more epochs: for the model you will keep.</source>
        <translation>文本更长，轮数更多：用于你要保留的模型。</translation>
    </message>
    <message>
        <source>auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>balanced</source>
        <translation>平衡</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>The model to start from: the bundled all-MiniLM-L6-v2, a model folder, or a Hugging Face hub id (needs internet).</source>
        <translation>作为起点的模型：附带的 all-MiniLM-L6-v2、一个模型文件夹，或 Hugging Face Hub 模型 ID（需要联网）。</translation>
    </message>
    <message>
        <source>How many times training reads every labelled row, at most. Training stops sooner when the validation score stops improving.</source>
        <translation>训练最多把每个已标注的行读多少遍。验证集得分不再提高时，训练会提前结束。</translation>
    </message>
    <message>
        <source>How many rows the model learns from at once. Bigger is faster on a GPU but needs more memory.</source>
        <translation>模型一次学习多少行。越大在 GPU 上越快，但需要更多显存。</translation>
    </message>
    <message>
        <source>How many tokens (word pieces) of each text the model reads. Longer texts are cut; more is slower.</source>
        <translation>模型读取每条文本的多少个 token（词片）。更长的文本会被截断；越大越慢。</translation>
    </message>
    <message>
        <source>How big each learning step is. Too high and training is unstable; too low and it learns slowly.</source>
        <translation>每一步学习的幅度。太高训练会不稳定，太低则学得很慢。</translation>
    </message>
    <message>
        <source>Share of labelled rows kept aside to measure the model. They are chosen at random, in proportion to each label.</source>
        <translation>留出用于衡量模型的已标注行的比例。按各标签的比例随机选取。</translation>
    </message>
    <message>
        <source>Fixes the random choices (split, start weights, order) so the same settings give the same model.</source>
        <translation>固定随机选择（划分、初始权重、顺序），使相同的设置得到相同的模型。</translation>
    </message>
    <message>
        <source>Where to train: a GPU is many times faster than the CPU. Auto picks the best one found.</source>
        <translation>在哪里训练：GPU 比 CPU 快许多倍。“自动”会选用找到的最佳设备。</translation>
    </message>
    <message>
        <source>Number format. bf16/fp16 are faster where the hardware supports them, with the same accuracy in practice.</source>
        <translation>数值格式。在硬件支持时 bf16/fp16 更快，实际准确率相同。</translation>
    </message>
    <message>
        <source>Stop after this many evaluations without a better validation score (0: never stop early).</source>
        <translation>连续这么多次评估验证集得分都没有提高时停止（0：从不提前停止）。</translation>
    </message>
    <message>
        <source>Give rare labels more weight so the model does not just learn to predict the common ones.</source>
        <translation>给少见的标签更高的权重，避免模型只学会预测常见标签。</translation>
    </message>
    <message>
        <source>A starting point for the settings below. Changing it fills in the advanced settings.</source>
        <translation>下面各项设置的起点。更改它会填入高级设置。</translation>
    </message>
    <message>
        <source> ({free:.1f} GiB free of {total:.1f} GiB)</source>
        <translation>（共 {total:.1f} GiB，空闲 {free:.1f} GiB）</translation>
    </message>
    <message>
        <source>GPU {device}: {name}{memory}</source>
        <translation>GPU {device}：{name}{memory}</translation>
    </message>
    <message>
        <source>Apple GPU (MPS): {name}</source>
        <translation>Apple GPU（MPS）：{name}</translation>
    </message>
    <message>
        <source>{cpu}, {cores} cores</source>
        <translation>{cpu}，{cores} 核</translation>
    </message>
    <message>
        <source>CPU: {name}</source>
        <translation>CPU：{name}</translation>
    </message>
    <message>
        <source>All {n} CPU processes (torchrun, gloo)</source>
        <translation>全部 {n} 个 CPU 进程（torchrun，gloo）</translation>
    </message>
    <message>
        <source>All {n} GPUs ({names}; torchrun)</source>
        <translation>全部 {n} 块 GPU（{names}；torchrun）</translation>
    </message>
    <message>
        <source>Model folder…</source>
        <translation>模型文件夹…</translation>
    </message>
    <message>
        <source>Hugging Face hub id…</source>
        <translation>Hugging Face Hub 模型 ID…</translation>
    </message>
    <message>
        <source>e.g. bert-base-uncased (needs internet)</source>
        <translation>例如 bert-base-uncased（需要联网）</translation>
    </message>
    <message>
        <source>Model:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <source>Device:</source>
        <translation>设备：</translation>
    </message>
    <message>
        <source>Precision:</source>
        <translation>精度：</translation>
    </message>
    <message>
        <source>Preset:</source>
        <translation>预设：</translation>
    </message>
    <message>
        <source>Advanced settings</source>
        <translation>高级设置</translation>
    </message>
    <message>
        <source> tokens</source>
        <translation> 个 token</translation>
    </message>
    <message>
        <source>never stop early</source>
        <translation>从不提前停止</translation>
    </message>
    <message>
        <source>Epochs:</source>
        <translation>轮数：</translation>
    </message>
    <message>
        <source>Batch size:</source>
        <translation>批大小：</translation>
    </message>
    <message>
        <source>Max length:</source>
        <translation>最大长度：</translation>
    </message>
    <message>
        <source>Learning rate:</source>
        <translation>学习率：</translation>
    </message>
    <message>
        <source>Validation share:</source>
        <translation>验证集比例：</translation>
    </message>
    <message>
        <source>Seed:</source>
        <translation>随机种子：</translation>
    </message>
    <message>
        <source>Patience:</source>
        <translation>耐心值：</translation>
    </message>
    <message>
        <source>Class weights:</source>
        <translation>类别权重：</translation>
    </message>
    <message>
        <source>Type the Hugging Face hub id of the model to start from (e.g. bert-base-uncased), or choose another model.</source>
        <translation>请输入作为起点的模型的 Hugging Face Hub 模型 ID（例如 bert-base-uncased），或选择其他模型。</translation>
    </message>
    <message>
        <source>Learning rate {rate!r} is not a number; write it like 1e-4 or 0.0001.</source>
        <translation>学习率 {rate!r} 不是数字；请写成 1e-4 或 0.0001 这样的形式。</translation>
    </message>
    <message>
        <source>Hub: {id}</source>
        <translation>Hub：{id}</translation>
    </message>
    <message>
        <source>Hub: type a model id, e.g. bert-base-uncased</source>
        <translation>Hub：请输入模型 ID，例如 bert-base-uncased</translation>
    </message>
    <message>
        <source>Bundled with bertdesk; works offline.</source>
        <translation>随 bertdesk 附带；可离线使用。</translation>
    </message>
    <message>
        <source>Folder: {path}</source>
        <translation>文件夹：{path}</translation>
    </message>
    <message>
        <source>Auto (looking for devices…)</source>
        <translation>自动（正在查找设备…）</translation>
    </message>
    <message>
        <source>Auto: {device}</source>
        <translation>自动：{device}</translation>
    </message>
    <message>
        <source>Train on {n} processes at once (data-parallel, torchrun): each takes its share of every batch, so the effective batch is the batch size times {n}.</source>
        <translation>同时用 {n} 个进程训练（数据并行，torchrun）：每个进程处理每个批次中的一份，因此有效批大小是批大小乘以 {n}。</translation>
    </message>
    <message>
        <source>Choose a model folder (with config.json and model.safetensors)</source>
        <translation>选择模型文件夹（含 config.json 和 model.safetensors）</translation>
    </message>
    <message>
        <source>Changed in the advanced settings.</source>
        <translation>已在高级设置中更改。</translation>
    </message>
</context>
<context>
    <name>TrainSummaryWidget</name>
    <message>
        <source>No labelled rows yet: label some rows (at least two different labels) first.</source>
        <translation>还没有已标注的行：请先标注一些行（至少两个不同的标签）。</translation>
    </message>
    <message>
        <source>Only one label ({label!r}) has labelled rows; a classifier needs at least two: label some rows with another label.</source>
        <translation>只有一个标签（{label!r}）有已标注的行；分类器至少需要两个：请用另一个标签标注一些行。</translation>
    </message>
    <message>
        <source>1 row</source>
        <translation>1 行</translation>
    </message>
    <message>
        <source>{n:,} rows</source>
        <translation>{n:,} 行</translation>
    </message>
    <message>
        <source>{label} ({rows})</source>
        <translation>{label}（{rows}）</translation>
    </message>
    <message>
        <source>{labels} look the same: they differ only in case or spaces. Merge {others} into {into}.</source>
        <translation>{labels}看起来相同：它们只在大小写或空格上不同。请将 {others} 合并到 {into}。</translation>
    </message>
    <message>
        <source>No rows are labelled {label};</source>
        <translation>没有行被标注为 {label}；</translation>
    </message>
    <message>
        <source>Only 1 row is labelled {label};</source>
        <translation>只有 1 行被标注为 {label}；</translation>
    </message>
    <message>
        <source>Only {n:,} rows are labelled {label};</source>
        <translation>只有 {n:,} 行被标注为 {label}；</translation>
    </message>
    <message>
        <source>a class needs at least {n} examples to learn from.</source>
        <translation>每个类别至少需要 {n} 个样本才能学习。</translation>
    </message>
    <message>
        <source>Label 1 more row {label}, or merge it into another label.</source>
        <translation>再将 1 行标注为 {label}，或将它合并到其他标签。</translation>
    </message>
    <message>
        <source>Label {n} more rows {label}, or merge it into another label.</source>
        <translation>再将 {n} 行标注为 {label}，或将它合并到其他标签。</translation>
    </message>
    <message>
        <source>{count} {needs} {fix}</source>
        <translation>{count}{needs}{fix}</translation>
    </message>
    <message>
        <source>Labelled rows</source>
        <translation>已标注的行</translation>
    </message>
    <message>
        <source>total</source>
        <translation>合计</translation>
    </message>
    <message>
        <source>“{label}” has no labelled rows: it will be left out of the model.</source>
        <translation>“{label}”没有已标注的行：它将不会进入模型。</translation>
    </message>
    <message>
        <source>Open a project to train a model.</source>
        <translation>打开一个项目以训练模型。</translation>
    </message>
</context>
<context>
    <name>TruncationLabel</name>
    <message>
        <source>use {n} tokens to keep most whole</source>
        <translation>使用 {n} 个 token 可让大多数文本保持完整</translation>
    </message>
    <message>
        <source>raise Max length to keep more</source>
        <translation>提高最大长度可保留更多内容</translation>
    </message>
    <message>
        <source>{cut} of {total} texts ({share:.0f}%) are longer than {n} tokens and will be cut; {fix}.</source>
        <translation>{total} 条文本中有 {cut} 条（{share:.0f}%）超过 {n} 个 token，将被截断；{fix}。</translation>
    </message>
    <message>
        <source>Set Max length to keep most texts whole (training takes longer per row)</source>
        <translation>设置最大长度，使大多数文本保持完整（每行训练耗时更长）</translation>
    </message>
    <message>
        <source>Counting texts longer than {n} tokens…</source>
        <translation>正在统计超过 {n} 个 token 的文本…</translation>
    </message>
    <message>
        <source>Use {n} tokens</source>
        <translation>使用 {n} 个 token</translation>
    </message>
    <message>
        <source>All {total} labelled texts fit in {n} tokens.</source>
        <translation>全部 {total} 条已标注文本都在 {n} 个 token 以内。</translation>
    </message>
</context>
<context>
    <name>UnreadableText</name>
    <message>
        <source>Use a model folder for that language (Train panel: Model &gt; Model folder…, or --model DIR).</source>
        <translation>请改用适合该语言的模型文件夹（训练面板：模型 &gt; 模型文件夹…，或 --model DIR）。</translation>
    </message>
    <message>
        <source>Use a model trained from a model folder for that language (Train panel: Model &gt; Model folder…, or --model DIR).</source>
        <translation>请改用基于该语言模型文件夹训练的模型（训练面板：模型 &gt; 模型文件夹…，或 --model DIR）。</translation>
    </message>
    <message>
        <source>{share:.0f}% of tokens unreadable by the model (sample of {count:,} texts)</source>
        <translation>{share:.0f}% 的 token 模型无法读取（抽样 {count:,} 条文本）</translation>
    </message>
    <message>
        <source>{share:.0f}% of tokens unreadable by the model</source>
        <translation>{share:.0f}% 的 token 模型无法读取</translation>
    </message>
    <message>
        <source> ({column})</source>
        <translation>（{column}）</translation>
    </message>
    <message>
        <source>measured on {measured:,} of {total:,} texts; </source>
        <translation>基于 {total:,} 条文本中的 {measured:,} 条测得；</translation>
    </message>
    <message>
        <source>; {share:.0f}% of the texts are mostly unreadable</source>
        <translation>；{share:.0f}% 的文本大部分无法读取</translation>
    </message>
    <message>
        <source>The model cannot read {share:.0f}% of the words in this column{column}{texts} ({where}they become [UNK] tokens); it is probably in a language its vocabulary does not cover. {fix}</source>
        <translation>模型无法识别此列{column}中 {share:.0f}% 的词{texts}（{where}这些词会变成 [UNK] token）；该列的语言可能不在模型词表的覆盖范围内。{fix}</translation>
    </message>
</context>
<context>
    <name>WelcomePage</name>
    <message>
        <source>Classify the text in your spreadsheets</source>
        <translation>为表格中的文本分类</translation>
    </message>
    <message>
        <source>Open a CSV, TSV, Excel or Parquet file, label a few rows, train a BERT model, and export the predictions.</source>
        <translation>打开 CSV、TSV、Excel 或 Parquet 文件，标注几行，训练一个 BERT 模型，再导出预测结果。</translation>
    </message>
    <message>
        <source>Open a spreadsheet…</source>
        <translation>打开表格…</translation>
    </message>
    <message>
        <source>Open a project…</source>
        <translation>打开项目…</translation>
    </message>
    <message>
        <source>Try the sample data</source>
        <translation>试用示例数据</translation>
    </message>
    <message>
        <source>400 customer-feedback messages in four categories, some of them unlabelled</source>
        <translation>400 条客户反馈，分为四类，其中一部分尚未标注</translation>
    </message>
    <message>
        <source>…or drop a file anywhere on this window.</source>
        <translation>…或者把文件拖到窗口的任意位置。</translation>
    </message>
    <message>
        <source>Recent</source>
        <translation>最近</translation>
    </message>
</context>
</TS>
