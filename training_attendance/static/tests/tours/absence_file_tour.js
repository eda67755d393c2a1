import { registry } from "@web/core/registry";

/**
 * The counselor, after a teacher validated a session with an absence: the student's
 * absence file shows the absence with its guardian notice and the first step of the
 * escalation ladder; the counselor closes the reminder with its outcome.
 */
registry.category("web_tour.tours").add("training_attendance_absence_file", {
    steps: () => [
        {
            content: "The student form has an Absences button",
            trigger: ".oe_stat_button:contains('Absences'):contains('1')",
        },
        {
            content: "Open the absence file tab",
            trigger: ".o_notebook_headers a:contains('Absence file')",
            run: "click",
        },
        {
            content: "The absence is there, and the guardians were notified",
            trigger:
                ".o_field_widget[name='absence_line_ids'] .o_data_row:contains('Unexcused absence'):contains('Guardians notified')",
        },
        {
            content: "The guardian notice is in the student's chatter",
            trigger: ".o-mail-Message:contains('was absent')",
        },
        {
            content: "The first step of the ladder: a reminder to the guardian",
            trigger:
                ".o_field_widget[name='escalation_ids'] .o_data_row:contains('Reminder') td[name='level']",
            run: "click",
        },
        {
            content: "The reminder opens in a dialog",
            trigger: ".modal .o_form_view",
        },
        {
            content: "Write what the guardian said",
            trigger: ".modal .o_field_widget[name='outcome'] textarea",
            run: "edit Guardian reminded by phone, the child was ill",
        },
        {
            content: "Close the reminder",
            trigger: ".modal button[name='action_done']",
            run: "click",
        },
        {
            content: "The reminder is done",
            trigger: ".o_field_widget[name='escalation_ids'] .o_data_row:contains('Reminder'):contains('Done')",
        },
    ],
});
