/** A labelled form field with its hint and its validation message, tied together for assistive technology. */
import type { ReactNode } from 'react';

export type Props = {
  readonly id: string;
  readonly label: string;
  readonly hint?: ReactNode;
  /** The message next to the field when its value was refused. */
  readonly error?: string | undefined;
  /** The input itself; it gets `id`, `aria-describedby` and `aria-invalid` from {@link fieldProps}. */
  readonly children: ReactNode;
};

/** The ARIA attributes an input inside a {@link Field} takes. */
export function fieldProps(id: string, error: string | undefined, hasHint: boolean) {
  const described = [hasHint ? `${id}-hint` : '', error === undefined ? '' : `${id}-error`].filter(Boolean).join(' ');
  return { id, 'aria-invalid': error !== undefined, ...(described === '' ? {} : { 'aria-describedby': described }) } as const;
}

/** Label, control, hint, message. */
export function Field({ id, label, hint, error, children }: Props) {
  return (
    <div className={error === undefined ? 'field' : 'field field--invalid'}>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint === undefined ? null : <p id={`${id}-hint`} className="field__hint">{hint}</p>}
      {error === undefined ? null : <p id={`${id}-error`} className="field__error">{error}</p>}
    </div>
  );
}
