import { registry } from "@web/core/registry";

/**
 * The counselor, after the teacher validated the student absent: the family's leave
 * request for that lesson is submitted and approved; the absence becomes excused.
 */
registry.category("web_tour.tours").add("training_attendance_leave_after_validation", {
    steps: () => [
        {
            content: "Submit the family's leave request",
            trigger: ".o_form_view button[name='action_submit']",
            run: "click",
        },
        {
            content: "Approve it",
            trigger: ".o_form_view button[name='action_approve']",
            run: "click",
        },
        {
            content: "Confirm: the covered attendance becomes excused",
            trigger: ".modal-footer button.btn-primary",
            run: "click",
        },
        {
            content: "The leave is approved",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Approved')",
        },
    ],
});
