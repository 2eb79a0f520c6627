"""Checks a person's eyes and keyboard would make: every interactive control on a page has a
box one can see and hit, every legend is shown, and Tab reaches every control.

axe-core passes a page whose checkboxes are clipped to 1×1 px (they are still "in the
accessibility tree"), so these checks measure the rendered boxes instead.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

MIN_BOX = 16  # px: the smallest box we accept for a checkbox/radio or its clickable label

CONTROLS = (
    "input:not([type=hidden]), select, textarea, button, a[href], summary, "
    "[tabindex]:not([tabindex='-1'])"
)

# Returns a list of problems; marks each control with data-mw-control=<index> for the
# keyboard walk. Elements inside [hidden], a closed <details> or display:none are skipped
# (they are not on screen); the skip link shows itself only on focus.
_MEASURE = """
([selector, minBox]) => {
  const problems = [];
  const rect = (el) => el.getBoundingClientRect();
  const shown = (el) => {
    if (el.closest('[hidden]')) return false;
    const d = el.closest('details');
    if (d && !d.open && !el.matches('summary') && !el.closest('summary')) return false;
    return el.getClientRects().length > 0;
  };
  const describe = (el) => {
    const label = (el.labels && el.labels[0] && el.labels[0].innerText) || el.getAttribute('aria-label')
      || el.innerText || el.getAttribute('name') || el.id || '';
    return `${el.tagName.toLowerCase()}${el.type ? '[' + el.type + ']' : ''} "${label.trim().slice(0, 40)}"`;
  };
  const big = (r) => r.width >= minBox && r.height >= minBox;
  const visibleStyle = (el) => {
    const s = getComputedStyle(el);
    return s.visibility !== 'hidden' && parseFloat(s.opacity) > 0.05 && s.clip !== 'rect(0px, 0px, 0px, 0px)';
  };
  let index = 0;
  for (const el of document.querySelectorAll(selector)) {
    if (el.disabled || !shown(el)) continue;
    el.dataset.mwControl = String(index++);
    if (el.closest('#krds-skip-link')) continue;
    const r = rect(el);
    if (el.matches('input[type=checkbox], input[type=radio]')) {
      if (big(r) && visibleStyle(el)) continue;
      // KRDS's own pattern: the input is hidden and its label draws the box (::before).
      const label = el.labels && el.labels[0];
      if (label && big(rect(label))) {
        const before = getComputedStyle(label, '::before');
        if (parseFloat(before.width) >= minBox && parseFloat(before.height) >= minBox) continue;
      }
      problems.push(`${describe(el)}: ${Math.round(r.width)}×${Math.round(r.height)} px, no visible box`);
      continue;
    }
    if (el.matches('input[type=file]') && !big(r)) {
      const label = el.labels && el.labels[0];
      if (!(label && big(rect(label)))) problems.push(`${describe(el)}: file input without a box`);
      continue;
    }
    const minimum = el.matches('a') ? 8 : minBox;  // a link inside running text is one line tall
    if (r.width < minimum || r.height < minimum || !visibleStyle(el)) {
      problems.push(`${describe(el)}: ${Math.round(r.width)}×${Math.round(r.height)} px`);
    }
  }
  for (const legend of document.querySelectorAll('legend')) {
    if (!shown(legend)) continue;
    const r = rect(legend);
    if (r.width < minBox || r.height < minBox || !visibleStyle(legend)) {
      problems.push(`legend "${legend.innerText.trim().slice(0, 40)}": ${Math.round(r.width)}×${Math.round(r.height)} px`);
    }
  }
  return {problems, count: index};
}
"""

_UNREACHED = """
() => {
  const reached = new Set(window.__mwFocused || []);
  const missing = [];
  const radioGroups = new Map();
  for (const el of document.querySelectorAll('[data-mw-control]')) {
    if (el.matches('input[type=radio]')) {
      const key = (el.form ? el.form.id || 'f' : 'doc') + ':' + el.name;
      const group = radioGroups.get(key) || [];
      group.push(el);
      radioGroups.set(key, group);
      continue;
    }
    if (!reached.has(el.dataset.mwControl)) {
      missing.push(`${el.tagName.toLowerCase()}${el.type ? '[' + el.type + ']' : ''} ${el.id || el.name || el.innerText.trim().slice(0, 30)}`);
    }
  }
  // Tab stops once per radio group (arrow keys move inside it).
  for (const [key, group] of radioGroups) {
    if (!group.some((el) => reached.has(el.dataset.mwControl))) missing.push(`radio group ${key}`);
  }
  return missing;
}
"""


def control_problems(page: Any) -> list[str]:
    """Every shown control has a real box (checkbox/radio ≥ 16×16 px, or a KRDS label that
    draws one) and every shown legend is visible; returns what is wrong."""
    result = page.evaluate(_MEASURE, [CONTROLS, MIN_BOX])
    problems: list[str] = result["problems"]
    if result["count"] == 0:
        problems.append("no interactive control found")
    return problems


def unreachable_by_keyboard(page: Any) -> list[str]:
    """Press Tab through the page and return the controls focus never reached."""
    count = page.evaluate(_MEASURE, [CONTROLS, MIN_BOX])["count"]
    page.evaluate(
        """() => {
          window.__mwFocused = [];
          document.addEventListener('focusin', (e) => {
            const el = e.target.closest('[data-mw-control]');
            if (el) window.__mwFocused.push(el.dataset.mwControl);
          });
          // Start the walk at the top of the page, as a person arriving on it would.
          const start = document.createElement('span');
          start.tabIndex = -1;
          start.id = 'mw-tab-start';
          document.body.prepend(start);
          start.focus();
        }"""
    )
    # Chromium gives a date input one Tab stop per part (year, month, day, …).
    segmented = page.locator(
        "input[type=date], input[type=datetime-local], input[type=time], input[type=month]"
    ).count()
    for _ in range(count + 5 * segmented + 3):
        page.keyboard.press("Tab")
    missing: list[str] = page.evaluate(_UNREACHED)
    page.evaluate("() => document.getElementById('mw-tab-start')?.remove()")
    return missing


def artefact_dir() -> Path:
    """Where browser tests leave screenshots: ``$MINWON_TEST_ARTIFACTS`` or
    ``test-results/`` at the repository root (ignored by git)."""
    root = os.environ.get("MINWON_TEST_ARTIFACTS") or str(
        Path(__file__).resolve().parents[2] / "test-results"
    )
    path = Path(root) / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


def screenshot(page: Any, name: str) -> Path:
    """A full-page screenshot of the journey step ``name``, kept as a test artefact."""
    path = artefact_dir() / (re.sub(r"[^A-Za-z0-9_.-]+", "-", name) + ".png")
    page.screenshot(path=str(path), full_page=True)
    return path
