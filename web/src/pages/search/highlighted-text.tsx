/**
 * Text with the matched parts marked, from the server's segments. Each hit is a
 * <mark>; nothing is ever parsed as HTML, so a title cannot inject markup.
 */
import { theme } from 'antd';
import type { Highlighted } from '../../api/search.js';

export function HighlightedText({ segments }: { segments: Highlighted }) {
  const { token } = theme.useToken();
  return (
    <>
      {segments.map((segment, index) =>
        segment.hit ? (
          // Segments have no identity of their own; their order is fixed by the reply.
          <mark key={index} style={{ padding: 0, background: token.colorWarningBgHover, color: 'inherit' }}>
            {segment.text}
          </mark>
        ) : (
          <span key={index}>{segment.text}</span>
        ),
      )}
    </>
  );
}

/** The plain text of highlighted segments (for alt text and titles). */
export function plainText(segments: Highlighted): string {
  return segments.map((segment) => segment.text).join('');
}
