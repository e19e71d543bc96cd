import { describe, expect, it } from 'vitest';
import { allowedActions, controlRefusal } from '../../contracts/controls.ts';
import { normalizeStatus, statusLabel } from '../../contracts/status.ts';

describe('status normalization', () => {
  it('maps every documented raw value', () => {
    expect(['queued', 'pending'].map((s) => normalizeStatus('queue', s))).toEqual(['queued', 'queued']);
    expect(['succeeded', 'success', 'completed'].map((s) => normalizeStatus('queue', s))).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
    ]);
    expect(['failed', 'error', 'dead_letter'].map((s) => normalizeStatus('queue', s))).toEqual([
      'failed',
      'failed',
      'dead_letter',
    ]);
    expect(normalizeStatus('orchestrator', 'awaiting_approval')).toBe('awaiting_action');
    expect(normalizeStatus('orchestrator', 'rolled_back')).toBe('succeeded');
    expect(normalizeStatus('proposals', 'dismissed')).toBe('cancelled');
    expect(normalizeStatus('proposals', 'open')).toBe('queued');
  });

  it('labels a run as it is while a control takes effect', () => {
    expect(statusLabel('dead_letter')).toBe('dead-lettered');
    expect(statusLabel('running', { cancelRequested: true })).toBe('cancelling…');
    expect(statusLabel('cancelled', { cancelRequested: true })).toBe('cancelled');
    expect(statusLabel('running', { paused: true, pausing: true })).toBe('pausing after this step');
    expect(statusLabel('awaiting_action', { paused: true })).toBe('paused');
    expect(statusLabel('awaiting_action', { paused: true, takeoverRequested: true })).toBe(
      'paused: taken over',
    );
    expect(statusLabel('awaiting_action')).toBe('awaiting action');
  });

  it('falls back by keyword, else queued', () => {
    expect(normalizeStatus('queue', 'RUNNING_SLOWLY')).toBe('running');
    expect(normalizeStatus('queue', 'partial_failure')).toBe('failed');
    expect(normalizeStatus('queue', 'mystery')).toBe('queued');
  });
});

describe('the control rules (one copy: workflow, API, dashboard)', () => {
  const running = {
    status: 'running' as const,
    paused: false,
    pauseMode: null,
    cancelRequested: false,
    started: true,
  };
  it('explains why an action is not possible', () => {
    expect(allowedActions({ ...running, status: 'succeeded' }).cancel).toMatch(/succeeded/);
    expect(allowedActions(running)).toMatchObject({ cancel: null, pause: null, takeover: null });
    expect(allowedActions(running).resume).toMatch(/not paused/);
    expect(allowedActions({ ...running, started: false, status: 'queued' }).takeover).toMatch(/not started/);
    const paused = {
      ...running,
      status: 'awaiting_action' as const,
      paused: true,
      pauseMode: 'soft' as const,
    };
    expect(allowedActions(paused).resume).toBeNull();
    expect(allowedActions(paused).pause).toMatch(/already paused/);
  });
  it('a soft pause may become hard; a repeated cancel and an empty message are ignored', () => {
    const soft = { ...running, status: 'awaiting_action' as const, paused: true, pauseMode: 'soft' as const };
    expect(controlRefusal(soft, { action: 'pause', mode: 'hard' })).toBeNull();
    expect(controlRefusal({ ...running, cancelRequested: true }, { action: 'cancel' })).toMatch(
      /already requested/,
    );
    expect(controlRefusal(running, { action: 'message', message: '  ' })).toMatch(/empty/);
  });
});
