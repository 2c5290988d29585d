/** The label on the "action required" issue, so the app finds its own issue again. */
export const ISSUE_LABEL = 'template-drift';
export const ISSUE_TITLE = 'Template drift: action required';
