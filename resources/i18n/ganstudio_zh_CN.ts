<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AlarmBanner</name>
    <message>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Step {step}:</source>
        <translation>第 {step} 步：</translation>
    </message>
</context>
<context>
    <name>Choices</name>
    <message>
        <source>{s}x{s} (its default)</source>
        <translation>{s}x{s}（其默认值）</translation>
    </message>
    <message>
        <source>{s}x{s} (the data&apos;s own size)</source>
        <translation>{s}x{s}（数据本身的尺寸）</translation>
    </message>
    <message>
        <source>{s}x{s} (from {w}x{h}: the nearest size the models train on a CPU)</source>
        <translation>{s}x{s}（由 {w}x{h} 而来：在 CPU 上模型可训练的最接近尺寸）</translation>
    </message>
    <message>
        <source>{s}x{s} (from {w}x{h}: the nearest size the models train)</source>
        <translation>{s}x{s}（由 {w}x{h} 而来：模型可训练的最接近尺寸）</translation>
    </message>
    <message>
        <source>conditional on its {n} labelled classes (z[0] picks the class)</source>
        <translation>以其 {n} 个带标签的类别为条件（z[0] 决定类别）</translation>
    </message>
    <message>
        <source>unconditional (no labels)</source>
        <translation>无条件（没有标签）</translation>
    </message>
    <message>
        <source>unconditional</source>
        <translation>无条件</translation>
    </message>
    <message>
        <source>z {z}</source>
        <translation>z 维度 {z}</translation>
    </message>
    <message>
        <source>width {w} and batch {b} for the CPU at {px} px</source>
        <translation>宽度 {w}、批大小 {b}（适合 CPU，{px} px）</translation>
    </message>
    <message>
        <source>width {w} and batch {b} for {dev} at {px} px</source>
        <translation>宽度 {w}、批大小 {b}（适合 {dev}，{px} px）</translation>
    </message>
    <message>
        <source>width {w} for the CPU at {px} px</source>
        <translation>宽度 {w}（适合 CPU，{px} px）</translation>
    </message>
    <message>
        <source>width {w} for {dev} at {px} px</source>
        <translation>宽度 {w}（适合 {dev}，{px} px）</translation>
    </message>
    <message>
        <source>batch {b} for the CPU</source>
        <translation>批大小 {b}（适合 CPU）</translation>
    </message>
    <message>
        <source>batch {b} for {dev}</source>
        <translation>批大小 {b}（适合 {dev}）</translation>
    </message>
    <message>
        <source>{loss} loss with spectral norm in D</source>
        <translation>{loss} 损失，D 使用谱归一化</translation>
    </message>
    <message>
        <source>{loss} loss</source>
        <translation>{loss} 损失</translation>
    </message>
    <message>
        <source>Adam lr {lr}, betas ({b1}, {b2})</source>
        <translation>Adam 学习率 {lr}，β₁/β₂ ({b1}, {b2})</translation>
    </message>
    <message>
        <source>Adam lr {lr}</source>
        <translation>Adam 学习率 {lr}</translation>
    </message>
    <message>
        <source>Adam betas ({b1}, {b2})</source>
        <translation>Adam β₁/β₂ ({b1}, {b2})</translation>
    </message>
    <message>
        <source>every setting was given; nothing chosen from the data</source>
        <translation>所有设置都已给定；没有根据数据选择任何项</translation>
    </message>
    <message>
        <source>off</source>
        <translation>关</translation>
    </message>
    <message>
        <source>defaults for 2D points: {model} G/D, z {z}, EMA {ema}</source>
        <translation>二维点的默认设置：G/D 为 {model}，z 维度 {z}，EMA {ema}</translation>
    </message>
    <message>
        <source>chosen from the data: {parts} (every choice can be overridden)</source>
        <translation>根据数据选择：{parts}（每一项都可以手动更改）</translation>
    </message>
    <message>
        <source>, </source>
        <translation>，</translation>
    </message>
</context>
<context>
    <name>CrashReporter</name>
    <message>
        <source>Something went wrong inside ganstudio: {}</source>
        <translation>ganstudio 内部出错：{}</translation>
    </message>
    <message>
        <source>The details are in {}; please attach that file to a bug report.</source>
        <translation>详细信息在 {} 中；报告问题时请附上这个文件。</translation>
    </message>
    <message>
        <source>ganstudio is still running; what was saved is kept.</source>
        <translation>ganstudio 仍在运行；已保存的内容都还在。</translation>
    </message>
    <message>
        <source>Errors since this message appeared: %n.</source>
        <translation>这条消息出现后又发生了 %n 次错误。</translation>
    </message>
</context>
<context>
    <name>DirectionSliders</name>
    <message>
        <source>Raw z coordinates</source>
        <translation>原始 z 坐标</translation>
    </message>
    <message>
        <source>Principal (PCA)</source>
        <translation>主成分（PCA）</translation>
    </message>
    <message>
        <source>From file...</source>
        <translation>从文件载入...</translation>
    </message>
    <message>
        <source>Sliders: offsets along directions, in sd of z</source>
        <translation>滑块：沿方向的偏移（以 z 的标准差为单位）</translation>
    </message>
    <message>
        <source>Each slider offsets the latent along one direction, in standard deviations of z</source>
        <translation>每个滑块让潜在向量沿一个方向偏移，以 z 的标准差为单位</translation>
    </message>
    <message>
        <source>What the sliders move along: single z coordinates, or GANSpace-style principal directions (PCA of {n} generated samples)</source>
        <translation>滑块沿什么移动：单个 z 坐标，或 GANSpace 式的主方向（对 {n} 个生成样本做 PCA）</translation>
    </message>
    <message>
        <source>Recompute</source>
        <translation>重新计算</translation>
    </message>
    <message>
        <source>Recompute the principal directions for the current generator</source>
        <translation>为当前生成器重新计算主方向</translation>
    </message>
    <message>
        <source>Directions</source>
        <translation>方向</translation>
    </message>
    <message>
        <source>Each slider moves one coordinate of z. z[0] picks the class.</source>
        <translation>每个滑块移动 z 的一个坐标。z[0] 决定类别。</translation>
    </message>
    <message>
        <source>Each slider moves one coordinate of z.</source>
        <translation>每个滑块移动 z 的一个坐标。</translation>
    </message>
    <message>
        <source>PCA of {n} samples</source>
        <translation>{n} 个样本的 PCA</translation>
    </message>
    <message>
        <source>{where} (from step {step}; the generator is now at step {now})</source>
        <translation>{where}（来自第 {step} 步；生成器现已到第 {now} 步）</translation>
    </message>
    <message>
        <source>{where} at step {step}</source>
        <translation>{where}，第 {step} 步</translation>
    </message>
    <message>
        <source>{where}: the first {k} explain {pct}% of the output variance.</source>
        <translation>{where}：前 {k} 个方向解释了输出方差的 {pct}%。</translation>
    </message>
    <message>
        <source>Load directions</source>
        <translation>载入方向</translation>
    </message>
    <message>
        <source>Directions (*.json);;All files (*)</source>
        <translation>方向文件 (*.json);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Cannot load directions from {path}: {error}</source>
        <translation>无法从 {path} 载入方向：{error}</translation>
    </message>
    <message>
        <source>{file} holds {k}-d directions; this generator&apos;s z has {z}</source>
        <translation>{file} 中的方向是 {k} 维的；而这个生成器的 z 是 {z} 维</translation>
    </message>
    <message>
        <source>Computing principal directions from {n} samples...</source>
        <translation>正在用 {n} 个样本计算主方向...</translation>
    </message>
    <message>
        <source>Could not compute principal directions: {error}</source>
        <translation>无法计算主方向：{error}</translation>
    </message>
    <message>
        <source>Could not compute principal directions</source>
        <translation>无法计算主方向</translation>
    </message>
</context>
<context>
    <name>ExplorerTabs</name>
    <message>
        <source>Samples</source>
        <translation>样本</translation>
    </message>
    <message>
        <source>Latent</source>
        <translation>潜在空间</translation>
    </message>
    <message>
        <source>Interpolation</source>
        <translation>插值</translation>
    </message>
    <message>
        <source>Move through the generator&apos;s latent space with sliders</source>
        <translation>用滑块在生成器的潜在空间中移动</translation>
    </message>
    <message>
        <source>Interpolate between latents; grid walks; export GIF/PNG with recipes</source>
        <translation>在潜在向量之间插值；网格漫步；导出 GIF/PNG 及其配方</translation>
    </message>
    <message>
        <source>{run} holds no checkpoint yet: nothing to explore</source>
        <translation>{run} 还没有检查点：暂无可探索的内容</translation>
    </message>
    <message>
        <source>Cannot explore {checkpoint}: {error}</source>
        <translation>无法探索 {checkpoint}：{error}</translation>
    </message>
</context>
<context>
    <name>ExportBox</name>
    <message>
        <source>Export strip/grid...</source>
        <translation>导出条带/网格...</translation>
    </message>
    <message>
        <source>Save what the top view shows as PNG, with a JSON recipe beside it</source>
        <translation>将上方视图的内容保存为 PNG，并在旁边附上 JSON 配方</translation>
    </message>
    <message>
        <source>Export animation...</source>
        <translation>导出动画...</translation>
    </message>
    <message>
        <source>Save the keyframe animation as GIF or MP4, with a JSON recipe</source>
        <translation>将关键帧动画保存为 GIF 或 MP4，并附上 JSON 配方</translation>
    </message>
    <message>
        <source>Save the keyframe animation as GIF (MP4 needs imageio-ffmpeg or ffmpeg), with a JSON recipe</source>
        <translation>将关键帧动画保存为 GIF（MP4 需要 imageio-ffmpeg 或 ffmpeg），并附上 JSON 配方</translation>
    </message>
    <message>
        <source>Exports enlarge every frame by a whole factor, nearest-neighbour (sharp pixels); the recipe records it. Default: frames of at least 128 px</source>
        <translation>导出时每一帧按整数倍放大（最近邻，像素清晰），配方会记录倍数。默认：每帧至少 128 像素</translation>
    </message>
    <message>
        <source>Export size</source>
        <translation>导出尺寸</translation>
    </message>
    <message>
        <source>at least 128 px</source>
        <translation>至少 128 px</translation>
    </message>
    <message>
        <source>{px} px ({f}x) (default)</source>
        <translation>{px} px（{f} 倍）（默认）</translation>
    </message>
    <message>
        <source>{px} px ({f}x)</source>
        <translation>{px} px（{f} 倍）</translation>
    </message>
    <message>
        <source>Nothing to export yet: add two or more keyframes (or show the grid walk) first.</source>
        <translation>暂无可导出的内容：请先添加两个或更多关键帧（或显示网格漫步）。</translation>
    </message>
    <message>
        <source>Export picture</source>
        <translation>导出图片</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>PNG 图像 (*.png)</translation>
    </message>
    <message>
        <source>Nothing to animate yet: add two or more keyframes first.</source>
        <translation>暂无可生成动画的内容：请先添加两个或更多关键帧。</translation>
    </message>
    <message>
        <source>Nothing to export: {why}</source>
        <translation>没有可导出的内容：{why}</translation>
    </message>
    <message>
        <source>Export animation</source>
        <translation>导出动画</translation>
    </message>
    <message>
        <source>Export failed: {error}</source>
        <translation>导出失败：{error}</translation>
    </message>
    <message>
        <source>Exported {path} ({px} px frames; recipe {recipe})</source>
        <translation>已导出 {path}（每帧 {px} px；配方 {recipe}）</translation>
    </message>
</context>
<context>
    <name>ExportDatasetDialog</name>
    <message>
        <source>Export dataset</source>
        <translation>导出数据集</translation>
    </message>
    <message>
        <source>The set holds this many times the classes; with more of the confused classes, per class on average</source>
        <translation>数据集共有该数乘以类别数的图像；易混淆类别多生成时，这是每类的平均数</translation>
    </message>
    <message>
        <source>Folder of PNGs per class</source>
        <translation>每个类别一个 PNG 文件夹</translation>
    </message>
    <message>
        <source>NumPy .npz</source>
        <translation>NumPy .npz 文件</translation>
    </message>
    <message>
        <source>MNIST-format IDX files</source>
        <translation>MNIST 格式的 IDX 文件</translation>
    </message>
    <message>
        <source>Named by the classifier</source>
        <translation>由分类器命名</translation>
    </message>
    <message>
        <source>The class the generator was asked for</source>
        <translation>生成器被要求生成的类别</translation>
    </message>
    <message>
        <source>Named by the classifier: the generator is asked for each class in turn and the evaluation&apos;s classifier, trained on the run&apos;s real images, labels what came out (the more useful set). An unconditional generator&apos;s images are always labelled this way.</source>
        <translation>由分类器命名：依次要求生成器生成每个类别，再由评估用的分类器（在本次运行的真实图像上训练）为生成的图像打标签（更有用的数据集）。无条件生成器的图像总是这样打标签。</translation>
    </message>
    <message>
        <source>More of the classes the classifier confuses</source>
        <translation>分类器易混淆的类别多生成一些</translation>
    </message>
    <message>
        <source>The same count per class</source>
        <translation>每类数量相同</translation>
    </message>
    <message>
        <source>More of the classes the classifier confuses: the images per class are an average; a class the evaluation&apos;s classifier often mistakes on real images gets up to 5x the images of an easy one (the more useful set: a classifier trained on it gets those classes right more often).</source>
        <translation>分类器易混淆的类别多生成一些：每类图像数为平均值；评估用的分类器在真实图像上常认错的类别，最多可得到易分类别 5 倍的图像（更有用的数据集：在其上训练的分类器更常认对这些类别）。</translation>
    </message>
    <message>
        <source>off</source>
        <translation>关</translation>
    </message>
    <message>
        <source>Keep images the evaluation&apos;s classifier gives their label with at least this probability</source>
        <translation>只保留评估用的分类器以至少这个概率判为其标签的图像</translation>
    </message>
    <message>
        <source>a new folder</source>
        <translation>一个新文件夹</translation>
    </message>
    <message>
        <source>Browse...</source>
        <translation>浏览...</translation>
    </message>
    <message>
        <source>Then measure what it is worth (CAS, augmentation, leakage; minutes)</source>
        <translation>导出后评估它的价值（CAS、数据增强、泄漏；需要几分钟）</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
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
        <source>Images per class</source>
        <translation>每类图像数</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>格式</translation>
    </message>
    <message>
        <source>Labels</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>Class balance</source>
        <translation>类别配比</translation>
    </message>
    <message>
        <source>Confidence filter</source>
        <translation>置信度筛选</translation>
    </message>
    <message>
        <source>Output folder</source>
        <translation>输出文件夹</translation>
    </message>
    <message>
        <source>From {run} ({which} checkpoint)</source>
        <translation>来自 {run}（{which}检查点）</translation>
    </message>
    <message>
        <source>best</source>
        <translation>最佳</translation>
    </message>
    <message>
        <source>latest</source>
        <translation>最新</translation>
    </message>
    <message>
        <source>Open or train a run first: the dataset is drawn from its generator.</source>
        <translation>请先打开或训练一个运行：数据集由它的生成器生成。</translation>
    </message>
    <message>
        <source>Export dataset into</source>
        <translation>将数据集导出到</translation>
    </message>
    <message>
        <source>Choose an output folder first.</source>
        <translation>请先选择输出文件夹。</translation>
    </message>
    <message>
        <source>Drawing {n} images per class...</source>
        <translation>正在为每个类别生成 {n} 张图像...</translation>
    </message>
    <message>
        <source>Cancelling...</source>
        <translation>正在取消...</translation>
    </message>
    <message>
        <source>Drawing images: %p%</source>
        <translation>正在生成图像：%p%</translation>
    </message>
    <message>
        <source>Writing files: %p%</source>
        <translation>正在写入文件：%p%</translation>
    </message>
    <message>
        <source>Measuring what the set is worth (a few minutes)</source>
        <translation>正在评估这个数据集的价值（需要几分钟）</translation>
    </message>
    <message>
        <source>Wrote {path}</source>
        <translation>已写入 {path}</translation>
    </message>
    <message>
        <source>Measured: see the Quality panel. {verdict}</source>
        <translation>评估完成：见“质量”面板。{verdict}</translation>
    </message>
    <message>
        <source>Cancelled; nothing was left behind.</source>
        <translation>已取消；没有留下任何文件。</translation>
    </message>
</context>
<context>
    <name>FindBox</name>
    <message>
        <source>Dataset item</source>
        <translation>数据集图像</translation>
    </message>
    <message>
        <source>Image file...</source>
        <translation>图像文件...</translation>
    </message>
    <message>
        <source>Pick an image, then Project</source>
        <translation>选一张图像，然后点“投影”</translation>
    </message>
    <message>
        <source>Find an image in the generator</source>
        <translation>在生成器中找到一张图像</translation>
    </message>
    <message>
        <source>Project a training image (by index) or an image file; you can also drop an image file on the preview, or right-click a sample in the Samples tab</source>
        <translation>投影一张训练图像（按编号）或一个图像文件；也可以把图像文件拖到预览上，或在“样本”页右键点击一个样本</translation>
    </message>
    <message>
        <source>Which training image</source>
        <translation>第几张训练图像</translation>
    </message>
    <message>
        <source>Project</source>
        <translation>投影</translation>
    </message>
    <message>
        <source>Find the latent whose output is closest (Adam on z; a pixel loss plus the feature net&apos;s features). The result becomes the current latent.</source>
        <translation>寻找输出与之最接近的潜在向量（用 Adam 优化 z；像素损失加上特征网络的特征损失）。结果会成为当前潜在向量。</translation>
    </message>
    <message>
        <source>Restore</source>
        <translation>图像修复</translation>
    </message>
    <message>
        <source>Restore mode: paint the missing part of the chosen image (a dataset item, an image file, a sample grid cell) and let the generator fill it</source>
        <translation>图像修复模式：在所选图像（数据集图像、图像文件或样本网格中的一格）上涂出缺失的部分，由生成器来填充</translation>
    </message>
    <message>
        <source>The image being found</source>
        <translation>正在查找的图像</translation>
    </message>
    <message>
        <source>Choose an image</source>
        <translation>选择图像</translation>
    </message>
    <message>
        <source>Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp *.tif *.tiff);;All files (*)</source>
        <translation>图像 (*.png *.jpg *.jpeg *.bmp *.gif *.webp *.tif *.tiff);;所有文件 (*)</translation>
    </message>
</context>
<context>
    <name>FindSide</name>
    <message>
        <source>The feature net of {} is not trained yet (once per dataset, then cached; evaluations during training train it too). Project, or Load, trains it.</source>
        <translation>{} 的特征网络还没有训练（每个数据集只训练一次，之后缓存；训练期间的评估也会训练它）。点“投影”或“载入训练图像”即可训练。</translation>
    </message>
    <message>
        <source>Project</source>
        <translation>投影</translation>
    </message>
    <message>
        <source>Failed: {}</source>
        <translation>失败：{}</translation>
    </message>
    <message>
        <source>Finding failed: {}</source>
        <translation>查找失败：{}</translation>
    </message>
    <message>
        <source>Stopped.</source>
        <translation>已停止。</translation>
    </message>
    <message>
        <source>The training images are not loaded yet (see the line under Project).</source>
        <translation>训练图像还没有载入（见“投影”下方的那一行）。</translation>
    </message>
    <message>
        <source>No training image {}: there are {}</source>
        <translation>没有编号为 {} 的训练图像：一共只有 {} 张</translation>
    </message>
    <message>
        <source>Projection needs an image generator.</source>
        <translation>投影需要图像生成器。</translation>
    </message>
    <message>
        <source>The image is {}; this generator draws {}</source>
        <translation>这张图像的形状是 {}；而这个生成器生成的是 {}</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Finding {}...</source>
        <translation>正在查找 {}...</translation>
    </message>
    <message>
        <source>{} (at step {})</source>
        <translation>{}（第 {} 步）</translation>
    </message>
    <message>
        <source>{} (from step {}; the generator is now at step {})</source>
        <translation>{}（来自第 {} 步；生成器现已到第 {} 步）</translation>
    </message>
    <message>
        <source>step {}/{}  ·  pixel MSE {:.4f}</source>
        <translation>第 {}/{} 步  ·  像素 MSE {:.4f}</translation>
    </message>
    <message>
        <source>Found (class {}): pixel MSE {:.4f} · a random z {:.4f} · best of 10,000 random {:.4f}</source>
        <translation>已找到（类别 {}）：像素 MSE {:.4f} · 随机 z {:.4f} · 10,000 个随机 z 中最佳 {:.4f}</translation>
    </message>
    <message>
        <source>Found: pixel MSE {:.4f} · a random z {:.4f} · best of 10,000 random {:.4f}</source>
        <translation>已找到：像素 MSE {:.4f} · 随机 z {:.4f} · 10,000 个随机 z 中最佳 {:.4f}</translation>
    </message>
    <message>
        <source>Mean squared pixel error ([-1, 1] units) of the reconstruction, against a random latent&apos;s (mean of 10,000) and the best of those 10,000, in the generator of the step named</source>
        <translation>重建结果的像素均方误差（以 [-1, 1] 为单位），对照随机潜在向量的误差（10,000 个的平均值）和这 10,000 个中最好的一个；均用所注明那一步的生成器计算</translation>
    </message>
    <message>
        <source>The mask hides no pixel: paint the part to fill first.</source>
        <translation>掩码没有遮住任何像素：请先涂出要填充的部分。</translation>
    </message>
    <message>
        <source>The mask hides every pixel: leave some known pixels to match.</source>
        <translation>掩码遮住了所有像素：请留下一些已知像素用于匹配。</translation>
    </message>
    <message>
        <source>projection of {}</source>
        <translation>{} 的投影</translation>
    </message>
    <message>
        <source>projection of training image {}</source>
        <translation>训练图像 {} 的投影</translation>
    </message>
    <message>
        <source>The latent is now the {}: &apos;Add current latent&apos; in the Interpolation tab adds it as a keyframe</source>
        <translation>当前潜在向量现在是{}：在“插值”页点“添加当前潜在向量”即可把它加为关键帧</translation>
    </message>
    <message>
        <source>The training images are not loaded yet; drop an image file on the preview meanwhile.</source>
        <translation>训练图像还没有载入；可以先把图像文件拖到预览上。</translation>
    </message>
    <message>
        <source>Pick an image first (a dataset item, an image file, a sample grid cell).</source>
        <translation>请先选一张图像（数据集图像、图像文件或样本网格中的一格）。</translation>
    </message>
    <message>
        <source>This image does not fit the generator: pick another.</source>
        <translation>这张图像与生成器不匹配：请换一张。</translation>
    </message>
    <message>
        <source>Filling...</source>
        <translation>正在填充...</translation>
    </message>
    <message>
        <source>step {}/{}  ·  MSE on the known pixels {:.4f}</source>
        <translation>第 {}/{} 步  ·  已知像素上的 MSE {:.4f}</translation>
    </message>
    <message>
        <source>Filled as class {} in step {}: MSE on the known pixels {:.4f}</source>
        <translation>已按类别 {} 填充（第 {} 步的生成器）：已知像素上的 MSE {:.4f}</translation>
    </message>
    <message>
        <source>Filled in step {}: MSE on the known pixels {:.4f}</source>
        <translation>已填充（第 {} 步的生成器）：已知像素上的 MSE {:.4f}</translation>
    </message>
</context>
<context>
    <name>Finder</name>
    <message>
        <source>Loading {}&apos;s training images...</source>
        <translation>正在载入 {} 的训练图像...</translation>
    </message>
    <message>
        <source>Training the feature net of {} (once, then cached): {} / {} updates...</source>
        <translation>正在训练 {} 的特征网络（只训练一次，之后缓存）：{} / {} 次更新...</translation>
    </message>
    <message>
        <source>Indexing {}&apos;s training images (once, then cached): {:,} / {:,}...</source>
        <translation>正在为 {} 的训练图像建立索引（只做一次，之后缓存）：{:,} / {:,}...</translation>
    </message>
    <message>
        <source>Cannot load {} ({}): projection uses the pixel loss alone, and there are no nearest training images.</source>
        <translation>无法载入 {}（{}）：投影只使用像素损失，也无法显示最近的训练图像。</translation>
    </message>
    <message>
        <source>Projecting: picking the starting latents...</source>
        <translation>正在投影：挑选起始潜在向量...</translation>
    </message>
    <message>
        <source>Projecting: comparing with 10,000 random latents...</source>
        <translation>正在投影：与 10,000 个随机潜在向量比较...</translation>
    </message>
    <message>
        <source>Restoring: picking the starting latents...</source>
        <translation>正在修复：挑选起始潜在向量...</translation>
    </message>
    <message>
        <source>Learning the classes of images with holes (once): {} / {} updates...</source>
        <translation>正在学习带缺损图像的类别（只训练一次）：{} / {} 次更新...</translation>
    </message>
    <message>
        <source>the training images are not loaded yet</source>
        <translation>训练图像还没有载入</translation>
    </message>
    <message>
        <source>Fitting &apos;toward {}&apos; from 2,000 classified samples...</source>
        <translation>正在用 2,000 个已分类的样本拟合“朝向 {}”...</translation>
    </message>
</context>
<context>
    <name>InterpolationView</name>
    <message>
        <source>Keyframe strip</source>
        <translation>关键帧条带</translation>
    </message>
    <message>
        <source>Grid walk</source>
        <translation>网格漫步</translation>
    </message>
    <message>
        <source>No generator yet: train, or File &gt; Open run.</source>
        <translation>还没有生成器：请先训练，或使用“文件 &gt; 打开运行”。</translation>
    </message>
    <message>
        <source>slerp follows the sphere where Gaussian latents live; lerp cuts through its middle</source>
        <translation>slerp 沿着高斯潜在向量所在的球面走；lerp 则从球的内部直线穿过</translation>
    </message>
    <message>
        <source>Loop back to the first</source>
        <translation>循环回到第一帧</translation>
    </message>
    <message>
        <source>The strip (or grid walk); scroll to zoom, drag to pan</source>
        <translation>条带（或网格漫步）；滚轮缩放，拖动平移</translation>
    </message>
    <message>
        <source>The keyframe path, looping</source>
        <translation>关键帧路径，循环播放</translation>
    </message>
    <message>
        <source>Play</source>
        <translation>播放</translation>
    </message>
    <message>
        <source>Animation speed, frames per second</source>
        <translation>动画速度（帧/秒）</translation>
    </message>
    <message>
        <source>Path</source>
        <translation>路径</translation>
    </message>
    <message>
        <source>Mode</source>
        <translation>方式</translation>
    </message>
    <message>
        <source>Frames</source>
        <translation>帧数</translation>
    </message>
    <message>
        <source>Grid walk (around the Latent tab&apos;s z)</source>
        <translation>网格漫步（围绕“潜在空间”页的 z）</translation>
    </message>
    <message>
        <source>Across</source>
        <translation>横向</translation>
    </message>
    <message>
        <source>Down</source>
        <translation>纵向</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>步数</translation>
    </message>
    <message>
        <source>Extent</source>
        <translation>范围</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <source>Speed</source>
        <translation>速度</translation>
    </message>
    <message>
        <source>Cannot draw this path: {error}</source>
        <translation>无法绘制这条路径：{error}</translation>
    </message>
    <message>
        <source>Add two or more keyframes: seeds, or the Latent tab&apos;s current latent.  ·  psi {psi}  ·  step {step}</source>
        <translation>请添加两个或更多关键帧：种子，或“潜在空间”页当前的潜在向量。  ·  psi {psi}  ·  第 {step} 步</translation>
    </message>
    <message>
        <source>A preview between seeds {a} and {b}. Add two or more keyframes: seeds, or the Latent tab&apos;s current latent.  ·  psi {psi}  ·  step {step}</source>
        <translation>种子 {a} 与 {b} 之间的预览。请添加两个或更多关键帧：种子，或“潜在空间”页当前的潜在向量。  ·  psi {psi}  ·  第 {step} 步</translation>
    </message>
    <message>
        <source>{n} x {n} grid along {across} (across) and {down} (down)  ·  psi {psi}  ·  step {step}</source>
        <translation>{n} × {n} 网格，横向沿 {across}，纵向沿 {down}  ·  psi {psi}  ·  第 {step} 步</translation>
    </message>
    <message numerus="yes">
        <source>{frames} frames, {mode}, %n keyframe(s)  ·  psi {psi}  ·  step {step}</source>
        <translation>
            <numerusform>{frames} 帧，{mode}，%n 个关键帧  ·  psi {psi}  ·  第 {step} 步</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>KeyframesBox</name>
    <message>
        <source>its own class</source>
        <translation>其自身的类别</translation>
    </message>
    <message>
        <source>Keyframes</source>
        <translation>关键帧</translation>
    </message>
    <message>
        <source>Add seed</source>
        <translation>添加种子</translation>
    </message>
    <message>
        <source>Add current latent</source>
        <translation>添加当前潜在向量</translation>
    </message>
    <message>
        <source>Add the Latent tab&apos;s z (seed and slider offsets) as a keyframe</source>
        <translation>把“潜在空间”页的 z（种子及滑块偏移）添加为关键帧</translation>
    </message>
    <message>
        <source>The class the selected keyframe draws (conditional models): the path blends the keyframes&apos; classes and passes through no other one</source>
        <translation>所选关键帧生成的类别（条件模型）：路径在各关键帧的类别之间混合，不会经过其他类别</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清空</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>种子</translation>
    </message>
    <message>
        <source>Class</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>seed {seed}</source>
        <translation>种子 {seed}</translation>
    </message>
    <message>
        <source>No generator yet: train, or open a run first.</source>
        <translation>还没有生成器：请先训练，或打开一个运行。</translation>
    </message>
    <message>
        <source>class {name}</source>
        <translation>类别 {name}</translation>
    </message>
    <message numerus="yes">
        <source>Removed %n keyframe(s) ({which}): latent(s) of a {sizes}-value z, and this generator takes {z}.</source>
        <translation>
            <numerusform>已移除 %n 个关键帧（{which}）：它们的潜在向量是 {sizes} 维的 z，而这个生成器需要 {z} 维。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n keyframe class(es) this model lacks: back to own.</source>
        <translation>
            <numerusform>有 %n 个关键帧的类别是这个模型没有的：已恢复为其自身的类别。</numerusform>
        </translation>
    </message>
    <message>
        <source>Seed keyframes are drawn by the new generator.</source>
        <translation>种子关键帧改由新的生成器绘制。</translation>
    </message>
</context>
<context>
    <name>LatentControls</name>
    <message>
        <source>EMA weights</source>
        <translation>EMA 权重</translation>
    </message>
    <message>
        <source>Explore the averaged (EMA) generator, or the live training weights</source>
        <translation>探索平均（EMA）生成器，或正在训练的实时权重</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Take a fresh copy of the generator now (it refreshes every few seconds while training)</source>
        <translation>立即取一份生成器的新副本（训练期间每隔几秒自动刷新）</translation>
    </message>
    <message>
        <source>z = a standard normal sample from this seed (as `ganstudio interpolate --seeds`)</source>
        <translation>z = 由此种子生成的标准正态样本（与 `ganstudio interpolate --seeds` 相同）</translation>
    </message>
    <message>
        <source>Randomize</source>
        <translation>随机</translation>
    </message>
    <message>
        <source>Reset</source>
        <translation>重置</translation>
    </message>
    <message>
        <source>Sliders back to 0 and psi back to 1</source>
        <translation>滑块归零，psi 恢复为 1</translation>
    </message>
    <message>
        <source>Truncation: z -&gt; psi * z. Lower psi trades variety for typical-looking samples.</source>
        <translation>截断：z -&gt; psi * z。psi 越小，样本越典型，但多样性越低。</translation>
    </message>
    <message>
        <source>Class</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>A conditional generator draws its class from z[0]: pick one here (it shows the class the preview draws)</source>
        <translation>条件生成器由 z[0] 决定类别：在这里选择（它显示预览当前生成的类别）</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>种子</translation>
    </message>
    <message>
        <source>Truncation</source>
        <translation>截断</translation>
    </message>
</context>
<context>
    <name>LatentPanel</name>
    <message>
        <source>Export preview...</source>
        <translation>导出预览...</translation>
    </message>
    <message>
        <source>Save the preview as PNG with a JSON recipe beside it</source>
        <translation>将预览保存为 PNG，并在旁边附上 JSON 配方</translation>
    </message>
    <message>
        <source>live snapshot of training</source>
        <translation>训练中的实时快照</translation>
    </message>
    <message>
        <source>EMA weights</source>
        <translation>EMA 权重</translation>
    </message>
    <message>
        <source>live weights</source>
        <translation>实时权重</translation>
    </message>
    <message>
        <source>step {step}  ·  {weights}  ·  {source}</source>
        <translation>第 {step} 步  ·  {weights}  ·  {source}</translation>
    </message>
    <message>
        <source>{latent} (found at step {step})</source>
        <translation>{latent}（在第 {step} 步找到）</translation>
    </message>
    <message>
        <source>{line}  ·  latent: {latent}</source>
        <translation>{line}  ·  潜在向量：{latent}</translation>
    </message>
    <message>
        <source>Direction &apos;{name}&apos; added and saved as {path}</source>
        <translation>已添加方向“{name}”，并保存为 {path}</translation>
    </message>
    <message>
        <source>Direction &apos;{name}&apos; added</source>
        <translation>已添加方向“{name}”</translation>
    </message>
    <message>
        <source>Nothing to export: no generator loaded yet.</source>
        <translation>没有可导出的内容：尚未载入生成器。</translation>
    </message>
    <message>
        <source>Export preview</source>
        <translation>导出预览</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>PNG 图像 (*.png)</translation>
    </message>
    <message>
        <source>Exported {path} (recipe {recipe})</source>
        <translation>已导出 {path}（配方 {recipe}）</translation>
    </message>
</context>
<context>
    <name>LatentPreview</name>
    <message>
        <source>No generator yet: train, or File &gt; Open run.</source>
        <translation>还没有生成器：请先训练，或使用“文件 &gt; 打开运行”。</translation>
    </message>
    <message>
        <source>Cannot render: {error}</source>
        <translation>无法渲染：{error}</translation>
    </message>
</context>
<context>
    <name>LatentState</name>
    <message>
        <source>latent coordinate {i}</source>
        <translation>潜在坐标 {i}</translation>
    </message>
    <message>
        <source>principal direction {i}: explains {r}% of the output variance</source>
        <translation>主方向 {i}：解释了输出方差的 {r}%</translation>
    </message>
    <message>
        <source>z[0] class</source>
        <translation>z[0] 类别</translation>
    </message>
    <message>
        <source>a conditional generator: z[0] picks the class (sweep it to walk through them)</source>
        <translation>条件生成器：z[0] 决定类别（拖动它即可依次经过各个类别）</translation>
    </message>
</context>
<context>
    <name>LossPanel</name>
    <message>
        <source>D loss</source>
        <translation>D 损失</translation>
    </message>
    <message>
        <source>G loss</source>
        <translation>G 损失</translation>
    </message>
    <message>
        <source>Log scale needs positive losses; this run has losses &lt;= 0 (usual for WGAN and hinge losses), so the axis stays linear.</source>
        <translation>对数坐标需要损失为正；这次运行的损失 &lt;= 0（WGAN 和 hinge 损失常见），所以坐标轴保持线性。</translation>
    </message>
    <message>
        <source>Logarithmic y axis for the loss plot.</source>
        <translation>损失图使用对数 y 轴。</translation>
    </message>
    <message>
        <source>Exponential smoothing of the curves (display only; the faint line is the raw data).</source>
        <translation>曲线的指数平滑（仅影响显示；浅色线是原始数据）。</translation>
    </message>
    <message>
        <source>Log scale</source>
        <translation>对数坐标</translation>
    </message>
    <message>
        <source>Smoothing</source>
        <translation>平滑</translation>
    </message>
    <message>
        <source>loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <source>step</source>
        <translation>步</translation>
    </message>
    <message>
        <source>D output</source>
        <translation>D 输出</translation>
    </message>
    <message>
        <source>step {step}: {change}</source>
        <translation>第 {step} 步：{change}</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Open run...</source>
        <translation>打开运行(&amp;O)...</translation>
    </message>
    <message>
        <source>Open run at its &amp;best checkpoint...</source>
        <translation>从最佳检查点打开运行(&amp;B)...</translation>
    </message>
    <message>
        <source>Open &amp;latent or recipe...</source>
        <translation>打开潜在向量或配方(&amp;L)...</translation>
    </message>
    <message>
        <source>Recent runs</source>
        <translation>最近的运行</translation>
    </message>
    <message>
        <source>&amp;Save checkpoint</source>
        <translation>保存检查点(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Export sample grid...</source>
        <translation>导出样本网格(&amp;E)...</translation>
    </message>
    <message>
        <source>Export &amp;dataset...</source>
        <translation>导出数据集(&amp;D)...</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>Loading {dataset}...</source>
        <translation>正在载入 {dataset}...</translation>
    </message>
    <message>
        <source>Continuing {run} from step {step} with its own settings.</source>
        <translation>以原有设置从第 {step} 步继续 {run}。</translation>
    </message>
    <message numerus="yes">
        <source>Training {dataset} -&gt; {run}  (%n unusable file(s) skipped, e.g. {example})</source>
        <translation>
            <numerusform>正在训练 {dataset} -&gt; {run}（跳过了 %n 个无法使用的文件，例如 {example}）</numerusform>
        </translation>
    </message>
    <message>
        <source>Training {dataset} -&gt; {run}</source>
        <translation>正在训练 {dataset} -&gt; {run}</translation>
    </message>
    <message>
        <source>stopping...</source>
        <translation>正在停止...</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <source>Cancelling the dataset load...</source>
        <translation>正在取消数据集载入...</translation>
    </message>
    <message>
        <source>Stopping: saving a checkpoint...</source>
        <translation>正在停止：保存检查点...</translation>
    </message>
    <message>
        <source>Training is paused; the last good checkpoint is kept.</source>
        <translation>训练已暂停；最近一个正常的检查点已保留。</translation>
    </message>
    <message>
        <source>Loading cancelled; nothing was written.</source>
        <translation>已取消载入；没有写入任何文件。</translation>
    </message>
    <message>
        <source>Training {how}; run saved in {run}</source>
        <translation>训练{how}；运行已保存在 {run}</translation>
    </message>
    <message>
        <source>Paused at step {step}: learning rates, loss and D steps may change; Resume or Step.</source>
        <translation>已在第 {step} 步暂停：可以修改学习率、损失和 D 步数；然后点“继续”或“单步”。</translation>
    </message>
    <message>
        <source>Open run</source>
        <translation>打开运行</translation>
    </message>
    <message>
        <source>Stop training before opening another run.</source>
        <translation>请先停止训练，再打开另一个运行。</translation>
    </message>
    <message>
        <source>Cannot open {path}: {error}</source>
        <translation>无法打开 {path}：{error}</translation>
    </message>
    <message>
        <source>{run} has no best checkpoint yet (written at the first quality evaluation); opening its latest instead.</source>
        <translation>{run} 还没有最佳检查点（在第一次质量评估时写入）；改为打开它最新的检查点。</translation>
    </message>
    <message>
        <source>The settings {run} was trained with. Train continues it; change the dataset or model to start a new run.</source>
        <translation>这是 {run} 训练时使用的设置。点“训练”将继续它；更换数据集或模型则开始新的运行。</translation>
    </message>
    <message>
        <source>Nothing to save: no training is running (runs are saved when they stop).</source>
        <translation>没有可保存的内容：当前没有训练在运行（运行停止时会自动保存）。</translation>
    </message>
    <message>
        <source>Checkpoint requested...</source>
        <translation>已请求保存检查点...</translation>
    </message>
    <message>
        <source>No sample grid to export yet.</source>
        <translation>还没有可导出的样本网格。</translation>
    </message>
    <message>
        <source>Export sample grid</source>
        <translation>导出样本网格</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>PNG 图像 (*.png)</translation>
    </message>
    <message>
        <source>Cannot write {path}: {error}</source>
        <translation>无法写入 {path}：{error}</translation>
    </message>
    <message>
        <source>Exported {path}</source>
        <translation>已导出 {path}</translation>
    </message>
    <message>
        <source>Saving and stopping...</source>
        <translation>正在保存并停止...</translation>
    </message>
    <message>
        <source>Finishing the current step and saving; the window closes when done.</source>
        <translation>正在完成当前步并保存；完成后窗口会关闭。</translation>
    </message>
</context>
<context>
    <name>MaskCanvas</name>
    <message>
        <source>Paint the missing part: left button paints, right button erases</source>
        <translation>涂出缺失的部分：左键涂抹，右键擦除</translation>
    </message>
    <message>
        <source>Pick an image above (a dataset item, an image file, a sample grid cell), then paint its hole</source>
        <translation>在上方选一张图像（数据集图像、图像文件或样本网格中的一格），然后涂出它的缺失区域</translation>
    </message>
</context>
<context>
    <name>Metrics</name>
    <message>
        <source>modes {modes}/{n_modes}  HQ {hq}%</source>
        <translation>模式 {modes}/{n_modes}  HQ {hq}%</translation>
    </message>
    <message>
        <source>JS {js}  KL {kl}</source>
        <translation>JS {js}  KL {kl}</translation>
    </message>
    <message>
        <source>FCD {fcd} (real-vs-real floor {fcd_floor})</source>
        <translation>FCD {fcd}（真实对真实下限 {fcd_floor}）</translation>
    </message>
    <message>
        <source>classes {class_coverage}/{n_classes}  confident {confident}%</source>
        <translation>类别 {class_coverage}/{n_classes}  高置信度 {confident}%</translation>
    </message>
    <message>
        <source>precision {precision}  recall {recall}</source>
        <translation>精确率 {precision}  召回率 {recall}</translation>
    </message>
    <message>
        <source>memorized {memorized}%</source>
        <translation>记忆（复制） {memorized}%</translation>
    </message>
</context>
<context>
    <name>NamedDirectionsBox</name>
    <message>
        <source>Directions by example</source>
        <translation>示例方向</translation>
    </message>
    <message>
        <source>Mark samples + / - in the Samples tab (Mark samples), then Fit direction.</source>
        <translation>在“样本”页标记 + / - 样本（标记样本），然后点“拟合方向”。</translation>
    </message>
    <message>
        <source>Remove this slider (its file stays in RUN/directions/)</source>
        <translation>移除这个滑块（其文件仍保留在 RUN/directions/ 中）</translation>
    </message>
    <message>
        <source>Add toward class</source>
        <translation>添加“朝向类别”方向</translation>
    </message>
    <message>
        <source>An unconditional generator on labelled data: the direction in z that makes the feature net&apos;s classifier see this class (fitted to 2,000 classified samples)</source>
        <translation>在带标签数据上训练的无条件生成器：z 中让特征网络的分类器判为该类别的方向（用 2,000 个已分类样本拟合）</translation>
    </message>
</context>
<context>
    <name>NeighboursView</name>
    <message>
        <source>Nearest training images</source>
        <translation>最近的训练图像</translation>
    </message>
    <message>
        <source>The training images nearest the preview: is the generator copying its data?</source>
        <translation>与预览最接近的训练图像：生成器是否在复制它的训练数据？</translation>
    </message>
    <message>
        <source>by features</source>
        <translation>按特征</translation>
    </message>
    <message>
        <source>by pixels</source>
        <translation>按像素</translation>
    </message>
    <message>
        <source>Distance between the feature net&apos;s 128-d features, or root-mean-square pixel difference ([-1, 1] units)</source>
        <translation>特征网络 128 维特征之间的距离，或像素差的均方根（以 [-1, 1] 为单位）</translation>
    </message>
    <message>
        <source>Load training images</source>
        <translation>载入训练图像</translation>
    </message>
    <message>
        <source>Train the feature net of this dataset (once, then cached; about a minute for 60,000 images on a CPU) and index its images</source>
        <translation>训练这个数据集的特征网络（只训练一次，之后缓存；在 CPU 上 60,000 张图像约需一分钟），并为它的图像建立索引</translation>
    </message>
    <message>
        <source>training image {}</source>
        <translation>训练图像 {}</translation>
    </message>
    <message>
        <source>Nearest {:.2f}; training images sit {:.2f} from their nearest one (median): closer than that</source>
        <translation>最近距离 {:.2f}；训练图像与各自最近邻的距离中位数为 {:.2f}：比这还近</translation>
    </message>
    <message>
        <source>Nearest {:.2f}; training images sit {:.2f} from their nearest one (median).</source>
        <translation>最近距离 {:.2f}；训练图像与各自最近邻的距离中位数为 {:.2f}。</translation>
    </message>
    <message>
        <source>RMS pixel difference, [-1, 1] units</source>
        <translation>像素差的均方根，以 [-1, 1] 为单位</translation>
    </message>
</context>
<context>
    <name>OpenRecipe</name>
    <message>
        <source>Open latent or recipe</source>
        <translation>打开潜在向量或配方</translation>
    </message>
    <message>
        <source>Recipes and latents (*.json);;All files (*)</source>
        <translation>配方与潜在向量 (*.json);;所有文件 (*)</translation>
    </message>
    <message>
        <source>{name} draws with a generator: open the run it was made with first ({run}).</source>
        <translation>{name} 需要用生成器来绘制：请先打开生成它的那个运行（{run}）。</translation>
    </message>
    <message>
        <source>Opened {name}.</source>
        <translation>已打开 {name}。</translation>
    </message>
    <message>
        <source>latent of {name}</source>
        <translation>{name} 的潜在向量</translation>
    </message>
    <message>
        <source>Its truncation is outside the slider&apos;s range: set to the nearest.</source>
        <translation>它的截断值超出了滑块的范围：已设为最接近的值。</translation>
    </message>
    <message>
        <source>A grid walk: its centre latent is shown.</source>
        <translation>这是一个网格漫步：显示的是它中心的潜在向量。</translation>
    </message>
    <message>
        <source>{name}, keyframe {i}</source>
        <translation>{name}，关键帧 {i}</translation>
    </message>
    <message>
        <source>{n} frames shown as {m}, the tab&apos;s most.</source>
        <translation>{n} 帧按 {m} 帧显示（此页的上限）。</translation>
    </message>
</context>
<context>
    <name>Points2DPanel</name>
    <message>
        <source>D(x): P(real)</source>
        <translation>D(x)：P(真实)</translation>
    </message>
    <message>
        <source>real</source>
        <translation>真实</translation>
    </message>
    <message>
        <source>generated</source>
        <translation>生成</translation>
    </message>
    <message>
        <source>D field</source>
        <translation>D 场</translation>
    </message>
    <message>
        <source>Background: the discriminator&apos;s probability that a point is real (green = real, purple = fake, dark = unsure).</source>
        <translation>背景：判别器认为某点为真实的概率（绿色 = 真实，紫色 = 生成，暗色 = 不确定）。</translation>
    </message>
    <message>
        <source>G gradients</source>
        <translation>G 梯度</translation>
    </message>
    <message>
        <source>Where each generated point is being pushed this step.</source>
        <translation>这一步中每个生成点被推向的方向。</translation>
    </message>
</context>
<context>
    <name>QualityPanel</name>
    <message>
        <source>Quality: evaluated every few hundred steps while training (no evaluation yet)</source>
        <translation>质量：训练期间每隔几百步评估一次（还没有评估）</translation>
    </message>
    <message>
        <source>step</source>
        <translation>步</translation>
    </message>
    <message>
        <source>Quality: no evaluation yet</source>
        <translation>质量：还没有评估</translation>
    </message>
    <message>
        <source>JS divergence</source>
        <translation>JS 散度</translation>
    </message>
    <message>
        <source>FCD (classifier features)</source>
        <translation>FCD（分类器特征）</translation>
    </message>
    <message>
        <source>JS of 30x30 histograms</source>
        <translation>30x30 直方图的 JS</translation>
    </message>
    <message>
        <source>classes covered</source>
        <translation>覆盖的类别</translation>
    </message>
    <message>
        <source>modes covered</source>
        <translation>覆盖的模式</translation>
    </message>
    <message>
        <source>confident samples</source>
        <translation>高置信度样本</translation>
    </message>
    <message>
        <source>HQ samples</source>
        <translation>高质量样本</translation>
    </message>
    <message>
        <source>memorized</source>
        <translation>记忆（复制）</translation>
    </message>
    <message>
        <source>&lt;b&gt;Quality at step {step}&lt;/b&gt;: (row not understood)</source>
        <translation>&lt;b&gt;第 {step} 步的质量&lt;/b&gt;：（无法读懂这一行）</translation>
    </message>
    <message>
        <source>&lt;b&gt;Quality at step {step}&lt;/b&gt;: {metrics}</source>
        <translation>&lt;b&gt;第 {step} 步的质量&lt;/b&gt;：{metrics}</translation>
    </message>
    <message>
        <source>(floor dashed)</source>
        <translation>（虚线为下限）</translation>
    </message>
    <message>
        <source>best at step {step}</source>
        <translation>最佳在第 {step} 步</translation>
    </message>
</context>
<context>
    <name>RestoreBox</name>
    <message>
        <source>Restore: fill the missing part</source>
        <translation>图像修复：填充缺失的部分</translation>
    </message>
    <message>
        <source>Centre</source>
        <translation>中心</translation>
    </message>
    <message>
        <source>Left half</source>
        <translation>左半边</translation>
    </message>
    <message>
        <source>Random 20%</source>
        <translation>随机 20%</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清空</translation>
    </message>
    <message>
        <source>Replace the hole with one of these masks</source>
        <translation>用其中一种掩码替换当前的缺失区域</translation>
    </message>
    <message>
        <source>brush </source>
        <translation>画笔 </translation>
    </message>
    <message>
        <source>The brush&apos;s diameter in image pixels</source>
        <translation>画笔直径（以图像像素计）</translation>
    </message>
    <message>
        <source>Fill</source>
        <translation>填充</translation>
    </message>
    <message>
        <source>Find the latent whose output matches the known pixels and blend it into the hole (as `ganstudio inpaint` does)</source>
        <translation>寻找输出与已知像素相符的潜在向量，并把它融合进缺失区域（与 `ganstudio inpaint` 相同）</translation>
    </message>
    <message>
        <source>The fill: the generator&apos;s pixels in the hole, the known pixels kept</source>
        <translation>填充结果：缺失区域用生成器的像素，已知像素保持不变</translation>
    </message>
    <message>
        <source>Save PNG...</source>
        <translation>保存 PNG...</translation>
    </message>
    <message>
        <source>Save the restored image as a PNG at the run&apos;s image size</source>
        <translation>按运行的图像尺寸把修复后的图像保存为 PNG</translation>
    </message>
    <message>
        <source>After</source>
        <translation>修复后</translation>
    </message>
    <message>
        <source>Before: paint the hole</source>
        <translation>修复前：涂出缺失区域</translation>
    </message>
    <message>
        <source>Restoring {}: paint the hole, then Fill</source>
        <translation>正在修复 {}：涂出缺失区域，然后点“填充”</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Save the restored image</source>
        <translation>保存修复后的图像</translation>
    </message>
    <message>
        <source>Cannot write {}: {}</source>
        <translation>无法写入 {}：{}</translation>
    </message>
    <message>
        <source>Saved {}</source>
        <translation>已保存 {}</translation>
    </message>
</context>
<context>
    <name>RunControls</name>
    <message>
        <source>Open image folder...</source>
        <translation>打开图像文件夹...</translation>
    </message>
    <message>
        <source>Open array/IDX file...</source>
        <translation>打开数组/IDX 文件...</translation>
    </message>
    <message>
        <source>Pick a dataset and click Train. Curves, samples and the 2D view update live.</source>
        <translation>选择数据集并点击“训练”。曲线、样本和二维视图会实时更新。</translation>
    </message>
    <message>
        <source>Training. Pause to change learning rates, the loss or D steps.</source>
        <translation>训练中。暂停后可以修改学习率、损失或 D 步数。</translation>
    </message>
    <message>
        <source>Paused. Change learning rates, loss or D steps; they apply on Resume or Step.</source>
        <translation>已暂停。可修改学习率、损失或 D 步数；点“继续”或“单步”时生效。</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>单步</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Start a new run (or continue the opened run)</source>
        <translation>开始新的运行（或继续已打开的运行）</translation>
    </message>
    <message>
        <source>Train one step while paused</source>
        <translation>暂停时训练一步</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Open image folder</source>
        <translation>打开图像文件夹</translation>
    </message>
    <message>
        <source>Open array or IDX file</source>
        <translation>打开数组或 IDX 文件</translation>
    </message>
    <message>
        <source>Arrays and IDX (*.npz *.npy *ubyte *ubyte.gz *.idx *.gz);;All files (*)</source>
        <translation>数组与 IDX (*.npz *.npy *ubyte *ubyte.gz *.idx *.gz);;所有文件 (*)</translation>
    </message>
</context>
<context>
    <name>RunFollowing</name>
    <message>
        <source>Waiting for {run} to start (no config.json yet)...</source>
        <translation>正在等待 {run} 开始（还没有 config.json）...</translation>
    </message>
    <message>
        <source>Following {run}: {error}; retrying</source>
        <translation>正在跟踪 {run}：{error}；重试中</translation>
    </message>
    <message>
        <source>Following {run} (live): step {step}, updated {ago} ago</source>
        <translation>正在实时跟踪 {run}：第 {step} 步，{ago} 前更新</translation>
    </message>
    <message>
        <source>Following {run} (live): step {step}, no metrics yet</source>
        <translation>正在实时跟踪 {run}：第 {step} 步，还没有指标</translation>
    </message>
    <message>
        <source>(following)</source>
        <translation>（跟踪中）</translation>
    </message>
    <message>
        <source>{run} — {how}, last step {step}</source>
        <translation>{run} — {how}，最后一步为第 {step} 步</translation>
    </message>
    <message>
        <source>(opened: {how})</source>
        <translation>（已打开：{how}）</translation>
    </message>
    <message>
        <source>{run} — no training steps yet</source>
        <translation>{run} — 还没有训练步</translation>
    </message>
    <message>
        <source>(opened)</source>
        <translation>（已打开）</translation>
    </message>
    <message>
        <source>step {step} / {total}  {word}</source>
        <translation>第 {step} / {total} 步  {word}</translation>
    </message>
    <message>
        <source>finished all its %n steps</source>
        <translation>已完成全部 %n 步</translation>
    </message>
    <message>
        <source>finished at its time limit ({time})</source>
        <translation>已在时间上限（{time}）时结束</translation>
    </message>
    <message>
        <source>stopped before its %n steps</source>
        <translation>在完成 %n 步之前停止</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>finished</source>
        <translation>已完成</translation>
    </message>
</context>
<context>
    <name>RunStatus</name>
    <message>
        <source>finished all its steps</source>
        <translation>已完成全部步数</translation>
    </message>
    <message>
        <source>finished at its time limit</source>
        <translation>已在时间上限时结束</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>ended by an error</source>
        <translation>因错误而结束</translation>
    </message>
    <message>
        <source>step {step} / {total}   {word}</source>
        <translation>第 {step} / {total} 步   {word}</translation>
    </message>
    <message>
        <source>ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Stop loading the dataset</source>
        <translation>停止载入数据集</translation>
    </message>
    <message>
        <source>Loading the dataset...</source>
        <translation>正在载入数据集...</translation>
    </message>
    <message>
        <source>Loading images: {done} / {total}</source>
        <translation>正在载入图像：{done} / {total}</translation>
    </message>
    <message>
        <source>Looking for images: {done} found</source>
        <translation>正在查找图像：已找到 {done} 个</translation>
    </message>
    <message>
        <source>step {step} / {total}</source>
        <translation>第 {step} / {total} 步</translation>
    </message>
    <message>
        <source>Training {run}</source>
        <translation>正在训练 {run}</translation>
    </message>
    <message>
        <source>step {step} / {total}   {rate} steps/s   ETA {eta}</source>
        <translation>第 {step} / {total} 步   {rate} 步/秒   预计剩余 {eta}</translation>
    </message>
    <message>
        <source>stopping...</source>
        <translation>正在停止...</translation>
    </message>
    <message>
        <source>Stopping {run}: saving a checkpoint...</source>
        <translation>正在停止 {run}：保存检查点...</translation>
    </message>
    <message>
        <source>{run} — {how}, last step {step}</source>
        <translation>{run} — {how}，最后一步为第 {step} 步</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <source>Paused {run} at step {step}</source>
        <translation>{run} 已在第 {step} 步暂停</translation>
    </message>
</context>
<context>
    <name>SampleMarks</name>
    <message>
        <source>Mark samples</source>
        <translation>标记样本</translation>
    </message>
    <message>
        <source>Mark samples that have a property (left click, green +) or not (right click, red -); click again to unmark. Then name it and Fit direction: a slider in the Latent tab.</source>
        <translation>标记具有某个特征的样本（左键，绿色 +）或不具有的样本（右键，红色 -）；再次点击取消标记。然后为特征命名并点“拟合方向”：它会成为“潜在空间”页中的一个滑块。</translation>
    </message>
    <message>
        <source>property, e.g. thick strokes</source>
        <translation>特征，例如：笔画粗</translation>
    </message>
    <message>
        <source>Fit direction</source>
        <translation>拟合方向</translation>
    </message>
    <message>
        <source>Fit a direction in z from the + samples&apos; latents to the - ones&apos; (logistic regression; the difference of means with fewer than 4 marks a side)</source>
        <translation>在 z 中拟合一个从 - 样本潜在向量指向 + 样本潜在向量的方向（逻辑回归；每边少于 4 个标记时用均值之差）</translation>
    </message>
    <message>
        <source>Clear marks</source>
        <translation>清除标记</translation>
    </message>
    <message>
        <source>Name the property first.</source>
        <translation>请先为特征命名。</translation>
    </message>
    <message>
        <source>No generator for this grid yet.</source>
        <translation>这个网格还没有对应的生成器。</translation>
    </message>
    <message>
        <source>&apos;{name}&apos; fitted ({method}); see the Latent tab</source>
        <translation>已拟合“{name}”（{method}）；请查看“潜在空间”页</translation>
    </message>
    <message>
        <source>Marks work on the fixed-noise grid of the current generator.</source>
        <translation>标记只作用于当前生成器的固定噪声网格。</translation>
    </message>
</context>
<context>
    <name>SamplePanel</name>
    <message>
        <source>Scroll to zoom, drag to pan, double-click to fit the grid.</source>
        <translation>滚轮缩放，拖动平移，双击使网格适应窗口。</translation>
    </message>
    <message>
        <source>Scrub through earlier sample grids; the right end follows live.</source>
        <translation>拖动查看早先的样本网格；拖到最右端则实时跟随。</translation>
    </message>
    <message>
        <source>no samples yet</source>
        <translation>还没有样本</translation>
    </message>
    <message>
        <source>One class per row</source>
        <translation>每行一个类别</translation>
    </message>
    <message>
        <source>A conditional generator: a row per class, the same latents in each column (from the latest copy of the generator)</source>
        <translation>条件生成器：每行一个类别，每列使用相同的潜在向量（来自生成器的最新副本）</translation>
    </message>
    <message>
        <source>Explore this sample in the Latent tab</source>
        <translation>在“潜在空间”页中探索这个样本</translation>
    </message>
    <message>
        <source>grid sample {i}</source>
        <translation>网格样本 {i}</translation>
    </message>
    <message>
        <source>Find this picture in the generator (project it)</source>
        <translation>在生成器中找到这张图（投影）</translation>
    </message>
    <message>
        <source>projection of grid sample {i} (step {step})</source>
        <translation>网格样本 {i}（第 {step} 步）的投影</translation>
    </message>
    <message>
        <source>cannot draw the classes: {error}</source>
        <translation>无法绘制各类别：{error}</translation>
    </message>
    <message>
        <source>one class per row, step {step}</source>
        <translation>每行一个类别，第 {step} 步</translation>
    </message>
    <message>
        <source>rows top to bottom: {names}</source>
        <translation>各行自上而下：{names}</translation>
    </message>
    <message>
        <source>step {step}: image not kept</source>
        <translation>第 {step} 步：图像未保留</translation>
    </message>
    <message>
        <source>step {step}: cannot read {file} ({reason})</source>
        <translation>第 {step} 步：无法读取 {file}（{reason}）</translation>
    </message>
    <message>
        <source>step {step} of {newest}</source>
        <translation>第 {step} 步（最新为第 {newest} 步）</translation>
    </message>
    <message>
        <source>step {step} (live)</source>
        <translation>第 {step} 步（实时）</translation>
    </message>
    <message>
        <source>step {step} (latest)</source>
        <translation>第 {step} 步（最新）</translation>
    </message>
</context>
<context>
    <name>SetupForm</name>
    <message>
        <source>Setup</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>auto</source>
        <translation>自动</translation>
    </message>
</context>
<context>
    <name>TrainConfig</name>
    <message>
        <source>Dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <source>Built-in datasets work offline; real ones (fashion-mnist, mnist) are listed when their files are on this machine; or open your own images</source>
        <translation>内置数据集可离线使用；真实数据集（fashion-mnist、mnist）在本机有其文件时才会列出；也可以打开你自己的图像</translation>
    </message>
    <message>
        <source>Image size</source>
        <translation>图像尺寸</translation>
    </message>
    <message>
        <source>2D points</source>
        <translation>二维点</translation>
    </message>
    <message>
        <source>auto: the data&apos;s own size (the nearest size the models train, if it has none)</source>
        <translation>自动：使用数据本身的尺寸（若没有，则取模型可训练的最接近尺寸）</translation>
    </message>
    <message>
        <source>Held-out share</source>
        <translation>留出比例</translation>
    </message>
    <message>
        <source>Images kept out of training for `ganstudio utility` (0: none; fashion-mnist and mnist use their test files instead)</source>
        <translation>不参与训练、留给 `ganstudio utility` 的图像比例（0 表示不留；fashion-mnist 和 mnist 改用其测试集文件）</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>z size</source>
        <translation>z 维度</translation>
    </message>
    <message>
        <source>Latent size; auto: chosen from the data (one more for the class dial z[0] when the data has labels)</source>
        <translation>潜在向量维度；自动：根据数据决定（数据带标签时多一维，用作类别旋钮 z[0]）</translation>
    </message>
    <message>
        <source>Loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <source>LR of G</source>
        <translation>G 的学习率</translation>
    </message>
    <message>
        <source>LR of D</source>
        <translation>D 的学习率</translation>
    </message>
    <message>
        <source>D steps per G step</source>
        <translation>每个 G 步的 D 步数</translation>
    </message>
    <message>
        <source>EMA of G for samples</source>
        <translation>样本使用 G 的 EMA</translation>
    </message>
    <message>
        <source>Batch size</source>
        <translation>批大小</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>总步数</translation>
    </message>
    <message>
        <source>Time limit (s)</source>
        <translation>时间上限（秒）</translation>
    </message>
    <message>
        <source>no limit</source>
        <translation>不限</translation>
    </message>
    <message>
        <source>Stop after this many seconds of training (then save); the run says it ended at its time limit.</source>
        <translation>训练这么多秒后停止（并保存）；运行会注明它因达到时间上限而结束。</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>种子</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>TensorBoard files</source>
        <translation>TensorBoard 文件</translation>
    </message>
    <message>
        <source>Also write the losses, evaluations and sample grids as TensorBoard event files in RUN/tensorboard/ (needs: pip install &apos;ganstudio[tensorboard]&apos;)</source>
        <translation>同时把损失、评估和样本网格写成 TensorBoard 事件文件，放在 RUN/tensorboard/ 中（需要：pip install &apos;ganstudio[tensorboard]&apos;）</translation>
    </message>
    <message>
        <source>Available here: {devices}</source>
        <translation>本机可用：{devices}</translation>
    </message>
</context>
<context>
    <name>TrainingWorker</name>
    <message>
        <source>Could not start training: {error}</source>
        <translation>无法开始训练：{error}</translation>
    </message>
    <message>
        <source>Training stopped: {error}</source>
        <translation>训练已停止：{error}</translation>
    </message>
    <message>
        <source>Could not save a checkpoint: {error}</source>
        <translation>无法保存检查点：{error}</translation>
    </message>
    <message>
        <source>Quality evaluations are off for this run: could not train the feature net ({error})</source>
        <translation>这次运行不做质量评估：无法训练特征网络（{error}）</translation>
    </message>
    <message>
        <source>Quality evaluations are off for this run: {error}</source>
        <translation>这次运行不做质量评估：{error}</translation>
    </message>
</context>
<context>
    <name>UtilityTable</name>
    <message>
        <source>&lt;b&gt;Synthetic data at step {step}&lt;/b&gt; (against {held})</source>
        <translation>&lt;b&gt;第 {step} 步的合成数据&lt;/b&gt;（对照{held}）</translation>
    </message>
    <message numerus="yes">
        <source>CAS / the same CNN on %n real images</source>
        <translation>
            <numerusform>CAS / 同一 CNN 用 %n 张真实图像训练</numerusform>
        </translation>
    </message>
    <message>
        <source>Worst class</source>
        <translation>最差的类别</translation>
    </message>
    <message numerus="yes">
        <source>%n real images, with synthetic</source>
        <translation>
            <numerusform>%n 张真实图像加合成图像</numerusform>
        </translation>
    </message>
    <message>
        <source>{alone} -&gt; {best} at {ratio}x</source>
        <translation>{alone} -&gt; {best}（加 {ratio} 倍合成图像）</translation>
    </message>
    <message>
        <source>{alone}, no gain</source>
        <translation>{alone}，没有提升</translation>
    </message>
    <message>
        <source>Near-copies (distance to training / to unseen images)</source>
        <translation>近似副本（到训练图像 / 到未见图像的距离）</translation>
    </message>
    <message numerus="yes">
        <source>No near-copies of training images among %n samples.</source>
        <translation>
            <numerusform>%n 个样本中没有训练图像的近似副本。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n near-copies: the generator memorises training images.</source>
        <translation>
            <numerusform>%n 个近似副本：生成器记住了训练图像。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n near-copies: a few training images are reproduced; look at them.</source>
        <translation>
            <numerusform>%n 个近似副本：少数训练图像被复制了；请查看它们。</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>WindowTexts</name>
    <message>
        <source>Training the quality feature net: {done} / {total} updates. Training goes on; evaluations start once it is ready.</source>
        <translation>正在训练质量评估用的特征网络：{done} / {total} 次更新。训练照常进行；特征网络就绪后开始评估。</translation>
    </message>
    <message>
        <source>Training the quality feature net (once per dataset, then cached). Training goes on; evaluations start once it is ready.</source>
        <translation>正在训练质量评估用的特征网络（每个数据集只训练一次，之后缓存）。训练照常进行；就绪后开始评估。</translation>
    </message>
    <message>
        <source>Quality feature net ready: evaluations run from the next evaluation step.</source>
        <translation>质量特征网络已就绪：从下一个评估步开始评估。</translation>
    </message>
    <message>
        <source>The quality feature net was not finished when training stopped; it trains again with the next run on this data.</source>
        <translation>训练停止时质量特征网络尚未训练完；下次在这份数据上运行时会重新训练。</translation>
    </message>
    <message>
        <source>Training goes on; this run has no quality evaluations.</source>
        <translation>训练照常进行；这次运行不做质量评估。</translation>
    </message>
    <message>
        <source>Image size and z size: auto, chosen from the data when it loads.</source>
        <translation>图像尺寸和 z 维度：自动，在数据载入时根据数据决定。</translation>
    </message>
    <message>
        <source>Image size: auto, chosen from the data when it loads.</source>
        <translation>图像尺寸：自动，在数据载入时根据数据决定。</translation>
    </message>
    <message>
        <source>z size: auto, chosen from the data when it loads.</source>
        <translation>z 维度：自动，在数据载入时根据数据决定。</translation>
    </message>
    <message>
        <source>Opened {run}; Train continues from {checkpoint}; best quality at step {step}</source>
        <translation>已打开 {run}；“训练”将从 {checkpoint} 继续；最佳质量在第 {step} 步</translation>
    </message>
    <message>
        <source>Opened {run}; Train continues from {checkpoint}</source>
        <translation>已打开 {run}；“训练”将从 {checkpoint} 继续</translation>
    </message>
    <message>
        <source>Opened {run}; no checkpoint; best quality at step {step}</source>
        <translation>已打开 {run}；没有检查点；最佳质量在第 {step} 步</translation>
    </message>
    <message>
        <source>Opened {run}; no checkpoint</source>
        <translation>已打开 {run}；没有检查点</translation>
    </message>
</context>
<context>
    <name>health</name>
    <message>
        <source>Lower D&apos;s learning rate, turn on spectral norm or try the hinge or wgan-gp loss.</source>
        <translation>降低 D 的学习率、开启谱归一化，或改用 hinge 或 wgan-gp 损失。</translation>
    </message>
    <message>
        <source>The best checkpoint is kept (checkpoints/best.safetensors). Try a lower learning rate, an EMA of G, spectral norm or the wgan-gp loss; or resume from the best.</source>
        <translation>最佳检查点已保留（checkpoints/best.safetensors）。可以尝试更低的学习率、G 的 EMA、谱归一化或 wgan-gp 损失；或者从最佳检查点继续。</translation>
    </message>
    <message>
        <source>The best checkpoint is kept (checkpoints/best.safetensors). Try a lower learning rate, an EMA of G or spectral norm; or resume from the best.</source>
        <translation>最佳检查点已保留（checkpoints/best.safetensors）。可以尝试更低的学习率、G 的 EMA 或谱归一化；或者从最佳检查点继续。</translation>
    </message>
    <message>
        <source>The best checkpoint is kept (checkpoints/best.safetensors). Try a lower learning rate, spectral norm or the wgan-gp loss; or resume from the best.</source>
        <translation>最佳检查点已保留（checkpoints/best.safetensors）。可以尝试更低的学习率、谱归一化或 wgan-gp 损失；或者从最佳检查点继续。</translation>
    </message>
    <message>
        <source>The best checkpoint is kept (checkpoints/best.safetensors). Try a lower learning rate or spectral norm; or resume from the best.</source>
        <translation>最佳检查点已保留（checkpoints/best.safetensors）。可以尝试更低的学习率或谱归一化；或者从最佳检查点继续。</translation>
    </message>
    <message>
        <source>Lower D&apos;s learning rate or D steps, turn on spectral norm or try the hinge or wgan-gp loss.</source>
        <translation>降低 D 的学习率或 D 步数、开启谱归一化，或改用 hinge 或 wgan-gp 损失。</translation>
    </message>
    <message>
        <source>Lower D&apos;s learning rate or try the hinge or wgan-gp loss.</source>
        <translation>降低 D 的学习率，或改用 hinge 或 wgan-gp 损失。</translation>
    </message>
    <message>
        <source>The best checkpoint is kept (checkpoints/best.safetensors). Try a lower learning rate, an EMA of G or the wgan-gp loss; or resume from the best.</source>
        <translation>最佳检查点已保留（checkpoints/best.safetensors）。可以尝试更低的学习率、G 的 EMA 或 wgan-gp 损失；或者从最佳检查点继续。</translation>
    </message>
    <message>
        <source>The best checkpoint is kept (checkpoints/best.safetensors). Try a lower learning rate or an EMA of G; or resume from the best.</source>
        <translation>最佳检查点已保留（checkpoints/best.safetensors）。可以尝试更低的学习率或 G 的 EMA；或者从最佳检查点继续。</translation>
    </message>
    <message>
        <source>The best checkpoint is kept (checkpoints/best.safetensors). Try a lower learning rate or the wgan-gp loss; or resume from the best.</source>
        <translation>最佳检查点已保留（checkpoints/best.safetensors）。可以尝试更低的学习率或 wgan-gp 损失；或者从最佳检查点继续。</translation>
    </message>
    <message>
        <source>The best checkpoint is kept (checkpoints/best.safetensors). Try a lower learning rate; or resume from the best.</source>
        <translation>最佳检查点已保留（checkpoints/best.safetensors）。可以尝试更低的学习率；或者从最佳检查点继续。</translation>
    </message>
    <message>
        <source>Lower D&apos;s learning rate or D steps or try the hinge or wgan-gp loss.</source>
        <translation>降低 D 的学习率或 D 步数，或改用 hinge 或 wgan-gp 损失。</translation>
    </message>
    <message>
        <source>; </source>
        <translation>；</translation>
    </message>
    <message>
        <source>The discriminator is winning outright (D(x) {dr}, D(G(z)) {df}) for {n} logged rows: the generator gets almost no gradient.</source>
        <translation>判别器已连续 {n} 个记录行完全占上风（D(x) {dr}，D(G(z)) {df}）：生成器几乎得不到梯度。</translation>
    </message>
    <message>
        <source>Samples are copying training images: {v}% of them are closer to a training image than training images are to each other (up from {low}%).</source>
        <translation>样本正在复制训练图像：{v}% 的样本与某张训练图像的距离，比训练图像彼此之间还要近（此前为 {low}%）。</translation>
    </message>
    <message>
        <source>Possible mode collapse: {what} over {n} evaluations.</source>
        <translation>可能出现模式崩溃：连续 {n} 次评估中，{what}。</translation>
    </message>
    <message>
        <source>{loss} became NaN/infinite {n} time(s) in a row (last at step {step}); training paused.</source>
        <translation>{loss} 连续 {n} 次变为 NaN/无穷大（最近一次在第 {step} 步）；训练已暂停。</translation>
    </message>
    <message>
        <source>{loss} became NaN/infinite by step {step}: the last {k} steps were undone and skipped ({i} of {n} before training pauses).</source>
        <translation>{loss} 在第 {step} 步前变为 NaN/无穷大：最近的 {k} 步已撤销并跳过（第 {i} 次，共 {n} 次后训练将暂停）。</translation>
    </message>
    <message>
        <source>modes fell from {a} to {b} of {n}</source>
        <translation>模式数从 {a} 降到 {b}（共 {n} 个）</translation>
    </message>
    <message>
        <source>class coverage fell from {a} to {b} of {n}</source>
        <translation>类别覆盖从 {a} 降到 {b}（共 {n} 个）</translation>
    </message>
    <message>
        <source>FCD rose from {a} to {b}</source>
        <translation>FCD 从 {a} 升到 {b}</translation>
    </message>
    <message>
        <source>JS rose from {a} to {b}</source>
        <translation>JS 从 {a} 升到 {b}</translation>
    </message>
    <message>
        <source>If it repeats, lower the learning rates or try another loss.</source>
        <translation>如果反复出现，请降低学习率或换一种损失。</translation>
    </message>
    <message>
        <source>Compare samples with their nearest real images (Latent tab). Keep an earlier checkpoint (checkpoints/best.safetensors), add data or augmentation (--augment translation,cutout), or stop sooner.</source>
        <translation>把样本与最接近的真实图像对比（“潜在空间”页）。保留较早的检查点（checkpoints/best.safetensors）、增加数据或数据增强（--augment translation,cutout），或者提前停止。</translation>
    </message>
</context>
<context>
    <name>split</name>
    <message>
        <source>the test files ({file})</source>
        <translation>测试集文件（{file}）</translation>
    </message>
    <message>
        <source>the {n} images the run held out ({share})</source>
        <translation>本次运行留出的 {n} 张图像（{share}）</translation>
    </message>
</context>
</TS>
