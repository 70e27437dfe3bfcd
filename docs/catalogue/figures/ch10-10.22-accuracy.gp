# made by workbook; re-plot with: gnuplot -p <this file>
set title 'Held-out accuracy on the embedded-pattern task' noenhanced
set xlabel 'pattern length' noenhanced
set ylabel 'accuracy' noenhanced
set grid
set key inside top right opaque box noenhanced
set style fill transparent solid 0.45 noborder
$s0 << EOD
5 0.25
15 0.25
EOD
$s1 << EOD
5 1
15 1
EOD
plot $s0 using 1:2 with lines lw 2 title 'chance', \
    $s1 using 1:2 with lines lw 2 title 'the task''s ceiling'
