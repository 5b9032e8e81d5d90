/** A QR code drawn as SVG rectangles from its module matrix (uqr's `encode`): no markup from a string, a label for assistive technology. */
import { memo, useMemo } from 'react';
import { encode } from 'uqr';

export type Props = {
  /** What the code encodes (a URL a phone opens). */
  readonly text: string;
  /** What the image is, for assistive technology. */
  readonly label: string;
  /** Its width and height on screen, CSS pixels. */
  readonly size?: number;
};

/** One rectangle per run of dark modules in a row: a version 5 code is about 400 rectangles, not 1,500. */
function runs(data: readonly (readonly boolean[])[]): { x: number; y: number; width: number }[] {
  const out: { x: number; y: number; width: number }[] = [];
  data.forEach((row, y) => {
    let start = -1;
    row.forEach((dark, x) => {
      if (dark && start === -1) start = x;
      if (!dark && start !== -1) {
        out.push({ x: start, y, width: x - start });
        start = -1;
      }
    });
    if (start !== -1) out.push({ x: start, y, width: row.length - start });
  });
  return out;
}

/** The QR code: dark modules on a light square (with its quiet zone), whatever the theme, so any camera reads it. */
export const QrCode = memo(function QrCode({ text, label, size = 196 }: Props) {
  const qr = useMemo(() => encode(text, { ecc: 'M', border: 2 }), [text]);
  const dark = useMemo(() => runs(qr.data), [qr]);
  return (
    <svg className="qr-code" role="img" aria-label={label} width={size} height={size} viewBox={`0 0 ${qr.size} ${qr.size}`} shapeRendering="crispEdges" data-qr-size={qr.size}>
      <rect x={0} y={0} width={qr.size} height={qr.size} fill="#ffffff" />
      {dark.map((r) => (
        <rect key={`${r.x},${r.y}`} x={r.x} y={r.y} width={r.width} height={1} fill="#000000" />
      ))}
    </svg>
  );
});
