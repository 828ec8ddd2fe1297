import { Resvg } from '@resvg/resvg-js';
import { View, parse } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * Vega-Lite → Vega → SVG (headless view, no canvas) → PNG with resvg. All data is inline in the spec, so no
 * loader is ever asked to fetch anything. System fonts are used where there are some; without them the
 * axes lose their labels but the image still renders.
 */
export async function renderPng(spec: TopLevelSpec, options: { width?: number } = {}): Promise<Buffer> {
  const vegaSpec = compile(spec).spec;
  const view = new View(parse(vegaSpec), { renderer: 'none' });
  try {
    const svg = await view.toSVG(2);
    const resvg = new Resvg(svg, {
      background: 'white',
      fitTo: { mode: 'width', value: options.width ?? 1200 },
      font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
    });
    return resvg.render().asPng();
  } finally {
    view.finalize();
  }
}
